"""The upper level (district, province): receive commune bundles as they arrive, keep them, consolidate when ready.

Plain data in and out, used by `nq57desk aggregate` and the GUI page «Tổng hợp cấp trên» (through Desk.upper()).

- Import: every input (file, folder, .zip package) is checked whole before anything is stored (nq57desk.bundle
  reader: structure, hashes, visible vs hidden figures, template, commune, validation); an accepted file is stored
  in one transaction of its own, so an interruption leaves every file either stored or not. A backup of the
  database ("truoc-nhap") is made before the first file is stored. A dry run reads and decides the same way but
  stores and writes nothing (it reads an existing database read-only and creates none).
- What counts: nq57desk.aggregate.decide (newest revision wins, older ones kept as history, the same content again
  is a duplicate, two contents of one revision are a conflict that replaces nothing).
- Completeness and the consolidated outputs (workbook, DOCX, DHIS2 CSV) are made from the store, for one province
  (or the provinces a group's bundles come from) and one template + period.
"""

from nq57desk.upper.reading import preview_import
from nq57desk.upper.results import GroupInfo, ImportResult, completeness_counts, completeness_line
from nq57desk.upper.store import Upper

__all__ = ["Upper", "ImportResult", "GroupInfo", "preview_import", "completeness_counts", "completeness_line"]
