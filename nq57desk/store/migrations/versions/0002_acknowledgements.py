"""Warnings the officer has acknowledged, per report, so they stop asking for attention.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("finding_key", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("report_id", "finding_key", "message"),
    )


def downgrade() -> None:
    op.drop_table("acknowledgement")
