"""Integrity at start: detect damage, keep the damaged file aside untouched, restore from the newest good backup."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nq57desk.errors import StoreError
from nq57desk.safety.atomic import fsync_dir, remove_quietly, temp_name
from nq57desk.safety.backup import BackupInfo, backup_now, integrity_ok, newest_good_backup

SESSION_SUFFIX = ".phien"  # present while a session that wrote something is open; absent after a clean close


@dataclass
class CheckResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    backup: BackupInfo | None = None  # the newest backup that passes integrity_check


class DamagedDatabase(StoreError):
    def __init__(self, result: CheckResult, db: Path):
        self.result, self.db = result, db
        offer = (f" Bản sao lưu tốt gần nhất: {result.backup.path.name} ({result.backup.when:%d/%m/%Y %H:%M})."
                 if result.backup else " Không tìm thấy bản sao lưu tốt.")
        super().__init__(f"Cơ sở dữ liệu bị hỏng ({'; '.join(result.problems[:3])}). Ứng dụng không ghi gì vào tệp "
                         f"hỏng.{offer}")


def check_database(db: Path, backups: Path, quick: bool = True) -> CheckResult:
    """Is the database sound? Looks at the file, the WAL left by an unclean stop, and SQLite's own checks."""
    problems = []
    if db.exists():
        wal = Path(str(db) + "-wal")
        marker = Path(str(db) + SESSION_SUFFIX)
        if marker.exists() and (not wal.exists() or wal.stat().st_size == 0):
            # Without a WAL the main file must hold every commit the last session reported.
            try:
                last = int(marker.read_text(encoding="utf-8", errors="replace").strip() or 0)
            except ValueError:
                last = 0
            if _header_commit_no(db) < last:
                problems.append("tệp nhật ký ghi (-wal) bị mất sau khi máy tắt đột ngột; các thay đổi cuối đã mất")
        if db.stat().st_size % 512 != 0:
            problems.append("tệp cơ sở dữ liệu bị cắt cụt")
        ok, found = integrity_ok(db, quick=quick)
        problems += found if not ok else []
        if ok:
            problems += _checksums(db, latest_only=quick)
    res = CheckResult(ok=not problems, problems=problems)
    if problems:
        res.backup = newest_good_backup(backups)
    return res


def _header_commit_no(db: Path) -> int:
    """user_version from the database header (bytes 60–63), read from the main file alone."""
    try:
        with open(db, "rb") as f:
            f.seek(60)
            return int.from_bytes(f.read(4), "big")
    except OSError:
        return 0


def _checksums(db: Path, latest_only: bool) -> list[str]:
    """Stored documents against their SHA-256 (SQLite's own checks cannot see flipped bytes inside text)."""
    import hashlib
    import sqlite3

    q = "SELECT r.report_id, r.number, r.document, r.sha256 FROM revision r"
    if latest_only:
        q += " JOIN report p ON p.id = r.report_id AND p.revision = r.number"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
        try:
            cols = {row[1] for row in con.execute("PRAGMA table_info(revision)")}
            if "sha256" not in cols:
                return []
            bad = []
            for rid, num, document, sha in con.execute(q):
                try:
                    good = sha is None or hashlib.sha256(document.encode("utf-8")).hexdigest() == sha
                except (AttributeError, UnicodeError):
                    good = False
                if not good:
                    bad.append(f"nội dung báo cáo {rid} bản {num} bị thay đổi (sai mã kiểm tra)")
            return bad
        finally:
            con.close()
    except sqlite3.Error as e:
        return [f"không đọc được dữ liệu: {e}"]


def quarantine(db: Path, folder: Path) -> Path:
    """Move the damaged database and its -wal/-shm, bytes untouched, into a folder of their own."""
    dest = folder / f"hong-{dt.datetime.now():%Y%m%d-%H%M%S}"
    dest.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", SESSION_SUFFIX):
        p = Path(str(db) + suffix)
        if p.exists():
            shutil.move(str(p), str(dest / p.name))
    return dest


def restore_backup(db: Path, backup: Path, backups: Path, quarantine_dir: Path) -> Path:
    """Replace the database with a backup. The current file is backed up first (or, if damaged, set aside)."""
    ok, problems = integrity_ok(backup)
    if not ok:
        raise StoreError(f"Bản sao lưu {backup.name} không toàn vẹn ({'; '.join(problems[:2])}); không khôi phục.")
    if db.exists():
        if check_database(db, backups).ok:
            backup_now(db, backups, "truoc-khoi-phuc")
        else:
            quarantine(db, quarantine_dir)
    tmp = temp_name(db)
    try:
        shutil.copyfile(backup, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        for suffix in ("-wal", "-shm", SESSION_SUFFIX):
            remove_quietly(Path(str(db) + suffix))
        os.replace(tmp, db)
        fsync_dir(db.parent)
    except BaseException:
        remove_quietly(tmp)
        raise
    return db
