"""The SQLite engine: durable pragmas on every connection, and the one schema path (Alembic) run at start."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError

from nq57desk.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def known_revisions() -> list[str]:
    """Revision ids, oldest first. Convention (tested against Alembic): file NNNN_name.py holds revision "NNNN",
    so a start that needs no migration never imports Alembic (it costs ~0.4 s on an old PC)."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def head_revision() -> str:
    return known_revisions()[-1]


def count_commit(conn) -> int:
    """Raise the commit number (user_version, in the database header, same transaction) and return it: what the
    lost-WAL check at start compares with the marker beside the database."""
    n = conn.exec_driver_sql("PRAGMA user_version").scalar() + 1
    conn.exec_driver_sql(f"PRAGMA user_version = {int(n)}")
    return int(n)


def make_engine(db: Path) -> Engine:
    # URL.create keeps the path as is: a folder named "USB%41" or "a?b" must not be decoded or cut.
    eng = create_engine(URL.create("sqlite", database=str(db)), future=True)

    @event.listens_for(eng, "connect")
    def _pragmas(dbapi_conn, _record):
        # WAL + synchronous=FULL: every committed edit survives a power cut (DOMAIN.md §6).
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA trusted_schema=OFF")
        cur.close()

    return eng


def current_revision(eng: Engine) -> str | None:
    with eng.connect() as conn:
        try:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        except OperationalError:
            return None
    return rows[0][0] if rows else None


def migrate(eng: Engine, db: Path, backup_dir: Path) -> str | None:
    """Bring the schema to head; back up first when an existing database changes; refuse a newer one.

    Returns the path of the backup written, if any.
    """
    cur = current_revision(eng)
    head = head_revision()
    if cur == head:
        return None
    if cur is not None and cur not in known_revisions():
        raise StoreError(
            f"Cơ sở dữ liệu ({db}) được tạo bởi phiên bản mới hơn của ứng dụng (lược đồ «{cur}»). "
            "Hãy cài phiên bản nq57desk mới hơn; dữ liệu được giữ nguyên, không bị thay đổi."
        )
    backup = None
    if cur is not None or _has_tables(eng):
        from nq57desk.safety.backup import backup_now

        backup = str(backup_now(db, backup_dir, f"truoc-nang-cap-{cur or 'none'}"))
    from alembic import command

    cfg = _alembic_config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


def _has_tables(eng: Engine) -> bool:
    with eng.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar()
    return bool(n)
