"""Work on a data folder or a file without opening the folder as a Desk: restore, check, whole-file writes."""

from __future__ import annotations

import os
from pathlib import Path

from nq57desk import settings
from nq57desk.errors import FileError, StoreError
from nq57desk.safety import lock
from nq57desk.safety.integrity import check_database, restore_backup


def restore_from_backup(data_dir: str | os.PathLike | None, backup: str | os.PathLike) -> Path:
    """"Khôi phục": replace the folder's database with a backup (current one backed up or set aside first)."""
    folder = settings.data_dir(data_dir)
    lock.acquire(folder)
    try:
        from nq57desk.store.engine import known_revisions

        return restore_backup(settings.db_path(folder), Path(backup), folder / "backups", folder / "hong",
                              known_revisions())
    finally:
        lock.release(folder)


def check_folder(data_dir: str | os.PathLike | None):
    """`nq57desk check`: a full integrity_check without opening the folder for writing."""
    folder = settings.data_dir(data_dir)
    res = check_database(settings.db_path(folder), folder / "backups", quick=False)
    if res.ok and not res.missing:
        bad = received_changed(settings.db_path(folder))
        if bad:
            from nq57desk.safety.backup import newest_good_backup

            res.ok, res.problems = False, [*res.problems, *bad]
            res.backup = newest_good_backup(folder / "backups")
    return res


def received_changed(db: Path) -> list[str]:
    """Received bundles (upper level) no longer what their commune signed, read without writing anything."""
    import sqlite3

    from nq57desk.safety.dbfile import connect_readonly
    from nq57desk.upper.store import received_problems

    try:
        con = connect_readonly(db)
    except sqlite3.Error:
        return []
    try:
        return received_problems(lambda sql, params: con.execute(sql, params).fetchall())
    finally:
        con.close()


def has_data(engine) -> bool:
    with engine.connect() as c:
        return bool(c.exec_driver_sql("SELECT (SELECT count(*) FROM report) + (SELECT count(*) FROM profile)").scalar())


def atomic_write(dest: Path, data: bytes) -> None:
    """Write a whole file or nothing: a failure leaves no file under the final name. The folder must exist: a
    mistyped path (another drive letter, a USB stick not plugged in) must not quietly create folders."""
    import errno

    from nq57desk.safety.atomic import atomic_write_bytes

    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        why = "không phải là thư mục" if folder.exists() else "không có"
        raise StoreError(f"Không ghi được tệp {dest.name}: thư mục «{folder}» {why}. Hãy chọn một thư mục đã có "
                         "(hoặc tạo thư mục đó trước).")
    try:
        if dest.is_dir():  # say so, instead of failing on a temp file beside it
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(dest))
        atomic_write_bytes(dest, data)
    except OSError as e:
        raise FileError("Không ghi được tệp", dest, e) from e
