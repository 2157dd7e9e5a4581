"""Names of the files the officer exports and what to say when one cannot be written: one home, read by the
export, the print preview's «Lưu PDF…», «Mở bằng Word» and the package dialog (no window code here)."""

from __future__ import annotations

import time
from pathlib import Path

from nq57desk.report.document import period_code
from nq57desk.vn import ascii_name


def default_name(doc: dict, ext: str) -> str:
    """The bundle gets the name the upper level sorts by (NQ57_05503_2026-T05_r2.xlsx); the DOCX a readable one."""
    if ext == "xlsx":
        from nq57desk.bundle.package import bundle_filename

        return bundle_filename(doc)
    return ascii_name(f"bao-cao-{doc['commune']['name']}-{period_code(doc['period'])}") + f".{ext}"


def word_copy_path(data_dir: Path, doc: dict) -> Path:
    """A fresh file for «Mở bằng Word» each time (Word may still hold the previous one open); copies older than
    a day are removed, quietly skipping any that is still open."""
    folder = Path(data_dir) / "mo-bang-word"
    now = time.time()
    try:
        for old in folder.glob("*.docx"):
            if now - old.stat().st_mtime > 86400:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    stem = default_name(doc, "docx")[: -len(".docx")]
    return folder / f"{stem}-{time.strftime('%H%M%S')}.docx"


def file_problem(e: OSError, name: str) -> str:
    """An OSError while writing an export, as the officer can act on it."""
    from nq57desk.errors import os_error_vi

    if getattr(e, "winerror", None) in (32, 33):  # ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION
        return f"Tệp «{name}» đang mở trong chương trình khác (Word, Excel…). Hãy đóng tệp đó rồi thử lại."
    return f"Không ghi được tệp «{name}»: {os_error_vi(e)}."
