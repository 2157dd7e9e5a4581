"""Initial schema: profile, reports with revisions, received bundles.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("template_id", sa.String(100), nullable=False, index=True),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False, index=True),
        sa.Column("commune_name", sa.String(200), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("period_kind", sa.String(10), nullable=False),
        sa.Column("period_year", sa.Integer, nullable=False, index=True),
        sa.Column("period_number", sa.Integer, nullable=True),
        sa.Column("period_start", sa.String(10), nullable=False),
        sa.Column("period_end", sa.String(10), nullable=False),
        sa.Column("period_code", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("deleted_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("frozen", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("replaces", sa.Integer, nullable=True),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("report_id", "number"),
    )
    op.create_table(
        "received",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False, index=True),
        sa.Column("template_id", sa.String(100), nullable=False),
        sa.Column("period_code", sa.String(20), nullable=False, index=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(260), nullable=False),
        sa.Column("exported_at", sa.String(32), nullable=True),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("superseded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("commune_code", "template_id", "period_code", "revision", "sha256"),
    )


def downgrade() -> None:
    op.drop_table("received")
    op.drop_table("revision")
    op.drop_table("report")
    op.drop_table("profile")
