"""Print and export: page layout, preview, the print dialog, PDF/DOCX/Excel export, file names."""
