"""Opening a database file only to look at it: the right URI, the WAL included, nothing written to what is checked.

Measured with SQLite 3.40 (tests/test_dbcheck.py holds it to this):
- `mode=ro` reads the -wal (so a database killed in the middle of a checkpoint reads whole), never checkpoints
  it and never deletes it; the main file and the -wal keep their bytes. It may create or rebuild the -shm (the
  WAL's shared-memory index, derived from the -wal, not data).
- `mode=ro` on a WAL database *without* a -wal creates an empty -wal and a -shm beside it (and leaves them). There
  is no WAL to read then, so `immutable=1` (main file alone, no side files) gives the same answer, writes nothing.
- `immutable=1` with a -wal present ignores the -wal: mid-checkpoint that is a half-updated file, reported
  "database disk image is malformed" although the database is sound. Never used when a -wal has content.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote_from_bytes


def sqlite_uri(db: str | os.PathLike, **params: str) -> str:
    """A file: URI SQLite decodes back to exactly this path (%, ?, #, spaces and Vietnamese letters encoded)."""
    path = os.path.abspath(db)
    if os.name == "nt":  # C:\x → /C:/x; \\host\share\x → //host/share/x (an empty URI authority either way)
        path = path.replace("\\", "/")
        if not path.startswith("/"):
            path = "/" + path
    uri = "file://" + quote_from_bytes(os.fsencode(path), safe="/:")
    return uri + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def has_wal(db: str | os.PathLike) -> bool:
    """A -wal beside the file (even an empty one: a live session may be about to write to it)."""
    return Path(str(db) + "-wal").exists()


def connect_readonly(db: str | os.PathLike) -> sqlite3.Connection:
    """A read-only connection that sees every committed transaction (the -wal included) and cannot change files."""
    if not Path(db).is_file():
        raise sqlite3.OperationalError("unable to open database file")
    if has_wal(db):
        try:
            con = sqlite3.connect(sqlite_uri(db, mode="ro"), uri=True)
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.OperationalError as e:
            # A -wal on read-only media without its -shm cannot be read (SQLite needs to create the index);
            # the main file alone is then the best there is.
            if "unable to open" not in str(e) and "readonly" not in str(e):
                raise
    return sqlite3.connect(sqlite_uri(db, mode="ro", immutable="1"), uri=True)


def schema_revision(con: sqlite3.Connection) -> tuple[str | None, set[str]]:
    """(alembic revision or None, table names) of an open database."""
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    rev = None
    if "alembic_version" in tables:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        rev = row[0] if row else None
    return rev, tables
