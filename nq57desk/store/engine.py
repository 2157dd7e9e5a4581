"""The SQLite engine: durable pragmas on every connection, and the one schema path (Alembic) run at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from nq57desk.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def make_engine(db: Path) -> Engine:
    eng = create_engine(f"sqlite:///{db}", future=True)

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
        return MigrationContext.configure(conn).get_current_revision()


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
    cfg = _alembic_config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


def _has_tables(eng: Engine) -> bool:
    with eng.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar()
    return bool(n)
