"""A SHA-256 of every revision's document, so damage inside stored text is noticed at start.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("sha256", sa.String(64), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, document FROM revision")).fetchall()
    for rid, document in rows:
        conn.execute(sa.text("UPDATE revision SET sha256 = :h WHERE id = :i"),
                     {"h": hashlib.sha256(document.encode("utf-8")).hexdigest(), "i": rid})


def downgrade() -> None:
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("sha256")
