"""The upper level's received bundles and commune keys in the database: the one place that writes them.

Core statements on a connection the caller opened (one transaction per stored file: thousands in a province's
import), and the commit counter every write transaction raises (shared with the Desk's ORM sessions).
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from nq57desk.store.engine import count_commit as count_commit  # re-export: the one commit hook
from nq57desk.store.models import CommuneKey, Received

CONFIRMED, PENDING = "confirmed", "pending"


def insert_received(conn: Connection, values: dict, *, supersede_older: bool) -> int:
    """Store one received bundle; older revisions of the same report become history. IntegrityError when the
    same content is there already."""
    rid = conn.execute(insert(Received).values(**values)).inserted_primary_key[0]
    if supersede_older:
        conn.execute(update(Received).where(Received.commune_code == values["commune_code"],
                                            Received.template_id == values["template_id"],
                                            Received.period_code == values["period_code"],
                                            Received.revision < values["revision"]).values(superseded=True))
    return rid


def same_received(conn: Connection, values: dict) -> int | None:
    """The id of the stored row with the same report, revision and content digest (the unique key)."""
    return conn.execute(select(Received.id).where(
        Received.commune_code == values["commune_code"], Received.template_id == values["template_id"],
        Received.period_code == values["period_code"], Received.revision == values["revision"],
        Received.sha256 == values["sha256"])).scalar()


def rewrite_received(conn: Connection, rid: int, values: dict) -> None:
    """Put a genuine bundle back over a stored copy that was changed since it was signed."""
    keep = ("commune_code", "template_id", "period_code", "revision", "sha256", "superseded")
    conn.execute(update(Received).where(Received.id == rid).values(**{k: v for k, v in values.items() if k not in keep}))


def add_key(conn: Connection, code: str, public_key: str, status: str, source: str, when: str) -> bool:
    """Note a commune's key; a confirmed one stays confirmed, a pending one becomes confirmed when `status` is.
    True when something changed."""
    row = conn.execute(select(CommuneKey.id, CommuneKey.status).where(
        CommuneKey.commune_code == code, CommuneKey.public_key == public_key)).first()
    if row is None:
        conn.execute(insert(CommuneKey).values(commune_code=code, public_key=public_key, status=status, source=source,
                                               first_seen=when, confirmed_at=when if status == CONFIRMED else None))
        return True
    if status == CONFIRMED and row.status != CONFIRMED:
        conn.execute(update(CommuneKey).where(CommuneKey.id == row.id)
                     .values(status=CONFIRMED, source=source, confirmed_at=when))
        return True
    return False


def key_rows(conn: Connection) -> list[tuple[str, str, str, str, str, str | None]]:
    """(commune, public key, status, source, first seen, confirmed at) of every key, by commune then age."""
    q = select(CommuneKey.commune_code, CommuneKey.public_key, CommuneKey.status, CommuneKey.source,
               CommuneKey.first_seen, CommuneKey.confirmed_at).order_by(CommuneKey.commune_code, CommuneKey.id)
    return [tuple(r) for r in conn.execute(q)]


SIGNED_COLUMNS = ("id", "commune_code", "template_id", "period_code", "revision", "exported_at", "sha256", "document",
                  "signed", "public_key", "signature")


def signed_rows_sql(where: str = "1 = 1") -> str:
    """The rows `check` and the consolidation verify again (document included)."""
    return f"SELECT {', '.join(SIGNED_COLUMNS)} FROM received WHERE {where} ORDER BY id"
