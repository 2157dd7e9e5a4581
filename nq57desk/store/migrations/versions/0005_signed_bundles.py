"""Signed bundles: the upper level's key registry per commune, and each received bundle's signature.

commune_key: the public keys the upper level knows per commune: "confirmed" (compared with the commune over the
phone, or read from the registry file the province distributes) or "pending" (came with a bundle, waits for
confirmation). received: the public key, the signature and the signed fields (JSON) of each stored bundle, so
`check` and the consolidation verify it again; rows stored before this revision have none and are not used.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commune_key",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False, index=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),  # confirmed | pending
        sa.Column("source", sa.String(20), nullable=False),  # bundle | file | confirmed
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("confirmed_at", sa.String(32), nullable=True),
        sa.UniqueConstraint("commune_code", "public_key"),
    )
    with op.batch_alter_table("received") as batch:
        batch.add_column(sa.Column("public_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(100), nullable=True))
        batch.add_column(sa.Column("signed", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("received") as batch:
        batch.drop_column("signed")
        batch.drop_column("signature")
        batch.drop_column("public_key")
    op.drop_table("commune_key")
