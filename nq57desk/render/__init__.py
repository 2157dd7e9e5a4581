"""Rendering: report → document tree → DOCX / text (the print preview in the GUI renders the same tree)."""
