"""The upper level's store of received bundles, and what a revision was exported as.

received: what the completeness table and the consolidation need without parsing every document (province,
commune name, template version, period, the report's own status, validation counts, file hash, app version), and
an index per report (commune + template + period). revision: when and as what it was handed out as a bundle, so
the next edit opens a new revision instead of changing one the upper level may already hold.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _received_columns() -> list[sa.Column]:
    return [
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("commune_name", sa.String(200), nullable=True),
        sa.Column("template_version", sa.Integer, nullable=True),
        sa.Column("period", sa.Text, nullable=True),  # the period as JSON
        sa.Column("report_status", sa.String(10), nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
        sa.Column("warnings", sa.Integer, nullable=False, server_default="0"),
        sa.Column("findings", sa.Text, nullable=True),  # JSON list of the first error messages
        sa.Column("app_version", sa.String(40), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("received") as batch:
        for col in _received_columns():
            batch.add_column(col)
        batch.create_index("ix_received_report", ["commune_code", "template_id", "period_code"])
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("exported_at", sa.String(32), nullable=True))
        batch.add_column(sa.Column("exported_to", sa.Text, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, document FROM received")).fetchall()
    for rid, document in rows:  # rows stored before this revision: fill what their documents say
        try:
            d = json.loads(document)
            c, p = d.get("commune") or {}, d.get("period") or {}
            vals = {"pc": c.get("province_code"), "cn": c.get("name"), "tv": (d.get("template") or {}).get("version"),
                    "p": json.dumps(p, ensure_ascii=False), "st": d.get("status"), "i": rid}
        except (ValueError, TypeError, AttributeError):
            continue
        conn.execute(sa.text("UPDATE received SET province_code = :pc, commune_name = :cn, template_version = :tv, "
                             "period = :p, report_status = :st WHERE id = :i"), vals)


def downgrade() -> None:
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("exported_to")
        batch.drop_column("exported_at")
    with op.batch_alter_table("received") as batch:
        batch.drop_index("ix_received_report")
        for col in reversed(_received_columns()):
            batch.drop_column(col.name)
