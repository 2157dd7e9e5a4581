"""Integrity at start: detect damage, keep the damaged file aside untouched, restore from the newest good backup."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nq57desk.errors import FileError, StoreError, sqlite_error_vi
from nq57desk.safety.atomic import fsync_dir, remove_quietly, temp_name
from nq57desk.safety.backup import (
    BackupInfo,
    backup_now,
    integrity_ok,
    make_backup,
    newest_good_backup,
    restore_key,
)
from nq57desk.safety.dbfile import connect_readonly, schema_revision

SESSION_SUFFIX = ".phien"  # present while a session that wrote something is open; absent after a clean close


@dataclass
class CheckResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    backup: BackupInfo | None = None  # the newest backup that passes integrity_check
    missing: bool = False  # no database yet (a new data folder): nothing to check, nothing damaged


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
    if not db.exists():
        return CheckResult(ok=True, missing=True)
    wal = Path(str(db) + "-wal")
    marker = Path(str(db) + SESSION_SUFFIX)
    try:
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
    except OSError as e:
        raise FileError("Không đọc được cơ sở dữ liệu", db, e) from e
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
        con = connect_readonly(db)
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
        return [f"không đọc được dữ liệu: {sqlite_error_vi(e)}"]


def quarantine(db: Path, folder: Path) -> Path:
    """Move the damaged database and its -wal/-shm, bytes untouched, into a folder of their own."""
    dest = folder / f"hong-{dt.datetime.now():%Y%m%d-%H%M%S-%f}"
    dest.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", SESSION_SUFFIX):
        p = Path(str(db) + suffix)
        if p.exists():
            shutil.move(str(p), str(dest / p.name))
    return dest


def restore_problem(backup: Path, known_revisions: list[str]) -> str | None:
    """Why a file cannot be restored (damaged, not an nq57desk database, made by a newer app: a schema revision
    not among `known_revisions`, which the caller takes from the store), or None."""
    import sqlite3

    name = backup.name
    if not backup.is_file():
        return f"Không tìm thấy tệp sao lưu «{name}»." if not backup.exists() else f"«{name}» là thư mục, không phải tệp sao lưu."
    ok, problems = integrity_ok(backup)
    if not ok:
        return f"Bản sao lưu «{name}» không toàn vẹn ({'; '.join(problems[:2])}); không khôi phục."
    try:
        con = connect_readonly(backup)
        try:
            rev, tables = schema_revision(con)
        finally:
            con.close()
    except sqlite3.Error as e:
        return f"Không đọc được bản sao lưu «{name}» ({sqlite_error_vi(e)}); không khôi phục."
    if rev is None or not {"report", "revision"} <= tables:
        return f"Tệp «{name}» không phải bản sao lưu của nq57desk (không có dữ liệu báo cáo); không khôi phục."
    if rev not in known_revisions:
        return (f"Bản sao lưu «{name}» được tạo bởi phiên bản mới hơn của ứng dụng (lược đồ «{rev}»); hãy cài "
                "phiên bản nq57desk mới hơn rồi khôi phục. Không có gì bị thay đổi.")
    return None


def restore_backup(db: Path, backup: Path, backups: Path, quarantine_dir: Path, known_revisions: list[str]) -> Path:
    """Replace the database with a backup. The current file is backed up first (or, if damaged, set aside).

    The backup is checked (sound, an nq57desk database, a schema this app knows) and copied beside the
    database before anything is changed; the copy goes through SQLite, so a -wal beside the backup is included
    and the chosen file is never written to.
    """
    problem = restore_problem(backup, known_revisions)
    if problem:
        raise StoreError(problem)
    staged = temp_name(db)
    try:
        make_backup(backup, staged, source_readonly=True)
    except FileError as e:
        raise FileError("Không khôi phục được từ bản sao lưu", backup, e.cause) from e
    try:
        if db.exists():
            if check_database(db, backups).ok:
                backup_now(db, backups, "truoc-khoi-phuc")
            else:
                quarantine(db, quarantine_dir)
        for suffix in ("-wal", "-shm", SESSION_SUFFIX):
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.replace(staged, db)
        fsync_dir(db.parent)
        restore_key(db)
    except OSError as e:
        remove_quietly(staged)
        raise FileError("Không khôi phục được cơ sở dữ liệu", db, e) from e
    except BaseException:
        remove_quietly(staged)
        raise
    return db
