"""Send upward by e-mail: the commune's outbox, and what the upper level took from its mailbox.

outbox: one row per report revision queued for the upper level (state, reason, next try, the Message-ID the
server accepted); in the database rather than loose files so a queued item, its attempts and the report's
«Đã gửi» change in one place, backed up with everything else, and survive a crash (WAL, synchronous=FULL).
mail_taken: per attachment of each message the upper level read (Message-ID, sender, time, what the import
made of it), written after the import committed and before the message is marked done on the server.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("revision", sa.Integer, nullable=False),  # the revision the bundle carries
        sa.Column("status_revision", sa.Integer, nullable=True),  # the «Đã gửi» revision made after acceptance
        sa.Column("message_id", sa.String(250), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),  # queued | sending | sent | failed | cancelled
        sa.Column("reason", sa.String(30), nullable=True),
        sa.Column("message", sa.Text, nullable=True),  # the last outcome, Vietnamese
        sa.Column("note", sa.Text, nullable=True),  # e.g. too large: bundle and compressed PDF only
        sa.Column("files", sa.Text, nullable=False),  # JSON [[name, path], …] in the data folder
        sa.Column("recipients", sa.Text, nullable=False),  # JSON list
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_at", sa.String(32), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.String(32), nullable=True),
        sa.Column("receipt_at", sa.String(32), nullable=True),  # the upper level's «Đã nhận» came back
        sa.UniqueConstraint("report_id", "revision"),
    )
    op.create_table(
        "mail_taken",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.String(250), nullable=False, index=True),
        sa.Column("sender", sa.String(250), nullable=False),
        sa.Column("sent_date", sa.String(64), nullable=True),
        sa.Column("mailbox", sa.String(250), nullable=False),
        sa.Column("uid", sa.String(40), nullable=False),
        sa.Column("attachment", sa.String(260), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),  # an import line's status, or not_bundle / no_attachment
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("taken_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mail_taken")
    op.drop_table("outbox")
