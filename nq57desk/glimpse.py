"""A read-only glimpse of one report, with nothing but the standard library.

The window shows the report the officer had open before SQLAlchemy is imported and before the integrity check,
the migrations and the start-up backup have run (they follow on a worker and take most of a second on an old PC).
The glimpse never writes: the database is opened with mode=ro and query_only, so it reads the WAL but can neither
checkpoint nor delete it. Anything unusual (no database, a schema other than the app's, a damaged file, a report
in the bin, a template that is not where it should be) gives None and the app takes the ordinary path.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nq57desk import settings

MIGRATIONS_VERSIONS = Path(__file__).resolve().parent / "store" / "migrations" / "versions"


@dataclass(frozen=True)
class Glimpse:
    rid: int
    doc: dict
    template_paths: tuple[Path, ...]  # where the template may be, in the order the registry prefers them
    acknowledged: frozenset[tuple[str, str]] = frozenset()  # (finding key, message) of accepted warnings
    text: str = ""  # the document as stored, to tell an edit made on the glimpse from a report changed meanwhile


def head_revision() -> str | None:
    """The newest schema revision the app knows (same convention as nq57desk.store.engine.known_revisions)."""
    names = sorted(p.name.split("_", 1)[0] for p in MIGRATIONS_VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1] if names else None


def peek_report(data_dir: Path, rid: int) -> Glimpse | None:
    db = settings.db_path(Path(data_dir))
    if not rid or not db.is_file():
        return None
    try:
        con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True, timeout=0.2)
        try:
            con.execute("PRAGMA query_only=1")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            if not row or row[0] != head_revision():
                return None
            row = con.execute("SELECT r.deleted_at, v.document FROM report r JOIN revision v ON v.report_id = r.id "
                              "WHERE r.id = ? ORDER BY v.number DESC LIMIT 1", (int(rid),)).fetchone()
            acks = frozenset(con.execute("SELECT finding_key, message FROM acknowledgement WHERE report_id = ?",
                                         (int(rid),)).fetchall())
        finally:
            con.close()
        if not row or row[0] is not None:
            return None
        doc = json.loads(row[1])
        tref = doc["template"]
        paths = template_files(Path(data_dir), str(tref["id"]), int(tref["version"]))
    except (sqlite3.Error, OSError, ValueError, TypeError, KeyError):
        return None
    if not paths:
        return None
    return Glimpse(int(rid), doc, paths, frozenset((str(k), str(m)) for k, m in acks), row[1])


def template_files(data_dir: Path, tid: str, version: int) -> tuple[Path, ...]:
    """Where a template id + version may live, by the file names the app itself uses: the shipped `<id>.yaml`
    (the registry prefers it; the caller checks its version after loading), then an imported
    `<id>-v<version>.<ext>` in the data folder."""
    out = [settings.resources_dir() / "templates" / f"{tid}.yaml"]
    out += [data_dir / "templates" / f"{tid}-v{version}{ext}" for ext in (".yaml", ".yml", ".json")]
    return tuple(p for p in out if p.is_file())
