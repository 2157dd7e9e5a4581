"""Backups of the live database: SQLite online backup → integrity_check → fsync → rename; rotation."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nq57desk.errors import StoreError
from nq57desk.safety.atomic import fsync_dir, remove_quietly, sha256_file, temp_name

NAME_RE = re.compile(r"^nq57desk-(\d{8})-(\d{6})(?:-(\w[\w-]*))?\.db$")
KEEP_LAST, KEEP_DAYS, KEEP_MONTHS = 10, 30, 12


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    when: dt.datetime
    reason: str
    size: int


def integrity_ok(db: Path, quick: bool = False) -> tuple[bool, list[str]]:
    """(ok, problems) from quick_check/integrity_check and foreign_key_check; unreadable files are not ok."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as e:
        return False, [str(e)]
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        problems = [r for r in rows if r != "ok"] + [f"khóa ngoại hỏng ở bảng {r[0]}" for r in fk]
        return not problems, problems
    except sqlite3.DatabaseError as e:
        return False, [str(e)]
    finally:
        con.close()


def backup_file_name(reason: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    return f"nq57desk-{now:%Y%m%d-%H%M%S}-{reason}.db"


def make_backup(db: Path, dest: Path) -> Path:
    """Copy a live database to `dest` safely; the file appears under its name only when it is whole and sound."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(dest)
    try:
        src = sqlite3.connect(str(db))
        try:
            out = sqlite3.connect(str(tmp))
            try:
                src.backup(out)
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
        fsync_dir(dest.parent)
    except BaseException:
        remove_quietly(tmp)
        raise
    return dest


def list_backups(folder: Path) -> list[BackupInfo]:
    """Newest first."""
    out = []
    if folder.is_dir():
        for p in folder.iterdir():
            m = NAME_RE.match(p.name)
            if m:
                when = dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
                out.append(BackupInfo(p, when, m.group(3) or "", p.stat().st_size))
    return sorted(out, key=lambda b: (b.when, b.path.name), reverse=True)


def rotate(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Keep the last 10, one a day for 30 days, one a month for 12 months; delete the rest. Returns what it deleted."""
    today = today or dt.date.today()
    backups = list_backups(folder)
    keep: set[Path] = {b.path for b in backups[:KEEP_LAST]}
    days, months = set(), set()
    for b in backups:  # newest first: the newest of each day/month is kept
        d = b.when.date()
        if (today - d).days < KEEP_DAYS and d not in days:
            days.add(d)
            keep.add(b.path)
        m = (d.year, d.month)
        months_ago = (today.year - d.year) * 12 + today.month - d.month
        if months_ago < KEEP_MONTHS and m not in months:
            months.add(m)
            keep.add(b.path)
    removed = []
    for b in backups:
        if b.path not in keep:
            remove_quietly(b.path)
            removed.append(b.path)
    return removed


def backup_now(db: Path, folder: Path, reason: str, only_if_changed: bool = False) -> Path | None:
    """A rotated backup in `folder`; with only_if_changed, none is kept when the content equals the newest one."""
    dest = folder / backup_file_name(reason)
    n = 1
    while dest.exists():
        n += 1
        dest = folder / backup_file_name(f"{reason}-{n}")
    newest = list_backups(folder)[:1]
    make_backup(db, dest)
    if only_if_changed and newest and _content_hash(dest) == _content_hash(newest[0].path):
        remove_quietly(dest)
        return None
    rotate(folder)
    return dest


def _content_hash(db: Path) -> str:
    """A hash of the rows, not the bytes: two backups of unchanged data compare equal."""
    h = hashlib.sha256()
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
        try:
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
                h.update(name.encode())
                for row in con.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                    h.update(repr(row).encode())
        finally:
            con.close()
    except sqlite3.Error:
        return sha256_file(db)
    return h.hexdigest()


def newest_good_backup(folder: Path) -> BackupInfo | None:
    for b in list_backups(folder):
        if integrity_ok(b.path)[0]:
            return b
    return None
