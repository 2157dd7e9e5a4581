"""Backups of the live database: SQLite online backup → integrity_check → fsync → rename; rotation."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nq57desk.errors import FileError, StoreError, sqlite_error_vi
from nq57desk.safety.atomic import fsync_dir, remove_quietly, sha256_file, temp_name
from nq57desk.safety.dbfile import connect_readonly

# nq57desk-20261122-083015-123456-khoi-dong.db (microseconds since 0.2; older names have none and still count)
NAME_RE = re.compile(r"^nq57desk-(\d{8})-(\d{6})(?:-(\d{6}))?(?:-([A-Za-z][\w-]*))?\.db$")
KEEP_LAST, KEEP_DAYS, KEEP_MONTHS = 10, 30, 12
# Backups made before something that changes the database wholesale are kept beyond the rotation: the last
# KEEP_PROTECTED of each kind, whatever their age (docs/install.md tells IT to restore "the one before the upgrade").
PROTECTED = ("truoc-nang-cap", "truoc-khoi-phuc", "truoc-nhap")
KEEP_PROTECTED = 3
SIDE_FILES = ("-wal", "-shm", "-journal")
TEMP_RE = re.compile(r"^\.~nq57desk-.*\.tmp(-wal|-shm|-journal)?$")
_active: set[str] = set()  # temp files of backups being written by this process (another thread may be at it)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    when: dt.datetime
    reason: str
    size: int

    @property
    def kind(self) -> str | None:
        """The protected kind (before an upgrade, a restore, an import) or None."""
        return next((k for k in PROTECTED if self.reason.startswith(k)), None)


def integrity_ok(db: Path, quick: bool = False) -> tuple[bool, list[str]]:
    """(ok, problems) from quick_check/integrity_check and foreign_key_check; unreadable files are not ok.

    Reads the -wal when there is one and never writes to the database or its -wal (safety/dbfile.py).
    """
    try:
        con = connect_readonly(db)
    except sqlite3.Error as e:
        return False, [sqlite_error_vi(e)]
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        problems = [r for r in rows if r != "ok"] + [f"khóa ngoại hỏng ở bảng {r[0]}" for r in fk]
        return not problems, problems
    except sqlite3.DatabaseError as e:
        return False, [sqlite_error_vi(e)]
    finally:
        con.close()


def backup_file_name(reason: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"nq57desk-{now:%Y%m%d-%H%M%S-%f}-{reason}.db"


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        remove_quietly(Path(str(path) + suffix))


def make_backup(db: Path, dest: Path, *, source_readonly: bool = False, reread: bool = False) -> Path:
    """Copy a database to `dest` safely; the file appears under its name only when it is whole and sound.

    The live database is read through a normal connection (it shares SQLite's locks with the app's own
    connections); a file chosen for restoring, with source_readonly, is never written to. With reread (a USB
    stick), the file is checked again under its final name and removed if it does not read back whole. Faults
    (disk full, read-only folder, USB pulled out) raise FileError in Vietnamese and leave nothing behind.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FileError("Không tạo được thư mục cho bản sao lưu", dest.parent, e) from e
    tmp = temp_name(dest)
    _active.add(tmp.name)
    try:
        src = connect_readonly(db) if source_readonly else sqlite3.connect(str(db))
        try:
            out = sqlite3.connect(str(tmp))
            try:
                src.backup(out)
                _carry_key(out, db, source_readonly)
                out.execute("PRAGMA journal_mode=DELETE")
            finally:
                out.close()
        finally:
            src.close()
        ok, problems = integrity_ok(tmp)
        if not ok:
            raise StoreError("Bản sao lưu không toàn vẹn: " + "; ".join(problems[:3]))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except StoreError:
        _remove_with_side_files(tmp)
        raise
    except (OSError, sqlite3.Error) as e:
        _remove_with_side_files(tmp)
        raise FileError("Không ghi được bản sao lưu", dest, e) from e
    except BaseException:
        _remove_with_side_files(tmp)
        raise
    finally:
        _active.discard(tmp.name)
    fsync_dir(dest.parent)
    if reread:
        ok, problems = integrity_ok(dest)
        if not ok:
            _remove_with_side_files(dest)
            raise StoreError(f"Bản sao lưu ghi ra «{dest.name}» không đọc lại được ({'; '.join(problems[:2])}); "
                             "đã xóa bản hỏng. Hãy thử lại hoặc dùng USB khác.")
    return dest


KEY_TABLE = "khoa_ky_may"  # in a backup only: the installation's private signing key (PEM), one row


def _carry_key(out: sqlite3.Connection, db: Path, source_readonly: bool) -> None:
    """A backup of the live database carries the installation's private key (the file beside it), so a PC rebuilt
    from a backup signs with the key the upper level already confirmed. A file restored from keeps what it has."""
    from nq57desk import settings

    if source_readonly:
        return
    try:
        pem = settings.signing_key_path(db.parent).read_bytes()
    except OSError:
        return  # no key yet (nothing exported), or unreadable: the backup of the data still goes ahead
    # one statement: the live database never holds this table (restore_key drops it after a restore)
    out.execute(f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} AS SELECT ? AS pem", (pem,))
    out.commit()


def restore_key(db: Path) -> bool:
    """After a restore: the key the backup carries becomes the folder's key file when the folder has none (a new
    PC), 0600; a key already there is kept (bundles it signed may be at the upper level). The table is then
    dropped from the restored database: the key file is the one home of the live key. True when written."""
    from nq57desk import settings
    from nq57desk.safety.atomic import atomic_write_bytes

    path = settings.signing_key_path(db.parent)
    try:
        con = sqlite3.connect(str(db))
        try:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (KEY_TABLE,)).fetchone():
                return False
            row = con.execute(f"SELECT pem FROM {KEY_TABLE}").fetchone()
            written = False
            if row and row[0] and not path.exists():
                atomic_write_bytes(path, bytes(row[0]), mode=0o600)
                written = True
            con.execute(f"DROP TABLE {KEY_TABLE}")
            con.commit()
            return written
        finally:
            con.close()
    except sqlite3.Error:
        return False


def _parse(p: Path) -> BackupInfo | None:
    m = NAME_RE.match(p.name)
    if not m:
        return None
    try:
        when = dt.datetime.strptime(m.group(1) + m.group(2) + (m.group(3) or "000000"), "%Y%m%d%H%M%S%f")
        size = p.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(p, when, m.group(4) or "", size)


def list_backups(folder: Path) -> list[BackupInfo]:
    """Newest first, to the microsecond (a start and a close backup often share a second)."""
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return []
    out = [b for b in map(_parse, entries) if b is not None]
    return sorted(out, key=lambda b: (b.when, b.path.name), reverse=True)


def rotate(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Keep the last 10, one a day for 30 days, one a month for 12 months, and the last 3 made before each
    upgrade, restore and import whatever their age; delete the rest. Returns what it deleted."""
    today = today or dt.date.today()
    backups = list_backups(folder)
    keep: set[Path] = {b.path for b in backups[:KEEP_LAST]}
    days, months = set(), set()
    protected: dict[str, int] = {}
    for b in backups:  # newest first: the newest of each day/month/kind is kept
        d = b.when.date()
        if (today - d).days < KEEP_DAYS and d not in days:
            days.add(d)
            keep.add(b.path)
        m = (d.year, d.month)
        months_ago = (today.year - d.year) * 12 + today.month - d.month
        if months_ago < KEEP_MONTHS and m not in months:
            months.add(m)
            keep.add(b.path)
        if b.kind and protected.get(b.kind, 0) < KEEP_PROTECTED:
            protected[b.kind] = protected.get(b.kind, 0) + 1
            keep.add(b.path)
    removed = []
    for b in backups:
        if b.path not in keep:
            remove_quietly(b.path)
            removed.append(b.path)
    return removed + _remove_stale_temps(folder)


def _remove_stale_temps(folder: Path) -> list[Path]:
    """Temp files of a backup whose process was killed (power cut, Task Manager). The folder is locked by this
    process, so a temp that is not one of its own is nobody's."""
    out = []
    try:
        names = [p for p in folder.iterdir() if TEMP_RE.match(p.name)]
    except OSError:
        return out
    for p in names:
        if not any(p.name.startswith(a) for a in _active):
            remove_quietly(p)
            out.append(p)
    return out


def next_backup_path(folder: Path, reason: str, now: dt.datetime | None = None) -> Path:
    """A name later than every backup already there, so the newest by name is the newest made (even when
    the PC's clock went back after a flat CMOS battery)."""
    now = now or dt.datetime.now()
    newest = list_backups(folder)[:1]
    if newest and now <= newest[0].when:
        now = newest[0].when + dt.timedelta(microseconds=1)
    dest = folder / backup_file_name(reason, now)
    while dest.exists():
        now += dt.timedelta(microseconds=1)
        dest = folder / backup_file_name(reason, now)
    return dest


def backup_now(db: Path, folder: Path, reason: str, only_if_changed: bool = False) -> Path | None:
    """A rotated backup in `folder`; with only_if_changed, none is made when the content equals the newest one
    (compared before copying: at a start with nothing changed, no copy and its temporary files are written)."""
    newest = list_backups(folder)[:1]
    if only_if_changed and newest and _content_hash(db) == _content_hash(newest[0].path):
        return None
    dest = make_backup(db, next_backup_path(folder, reason))
    rotate(folder)
    return dest


def _content_hash(db: Path) -> str:
    """A hash of the rows, not the bytes: two backups of unchanged data compare equal."""
    h = hashlib.sha256()
    try:
        con = connect_readonly(db)
        try:
            con.execute("BEGIN")  # one snapshot of every table (a live database may be written meanwhile)
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
                h.update(name.encode())
                for row in con.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                    h.update(repr(row).encode())
        finally:
            con.close()
    except sqlite3.Error:
        try:
            return sha256_file(db)
        except OSError:
            return "unreadable"
    return h.hexdigest()


def newest_good_backup(folder: Path) -> BackupInfo | None:
    for b in list_backups(folder):
        if integrity_ok(b.path)[0]:
            return b
    return None
