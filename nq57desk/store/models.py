"""Tables of the local database. The schema is created only by Alembic migrations, never by create_all."""

from __future__ import annotations

import hashlib

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Profile(Base):
    """The commune profile, stored once (id = 1); pre-fills every new report."""

    __tablename__ = "profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    data: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[str] = mapped_column(String(32))


class Report(Base):
    __tablename__ = "report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[str] = mapped_column(String(100), index=True)
    template_version: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    commune_name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2))
    period_kind: Mapped[str] = mapped_column(String(10))
    period_year: Mapped[int] = mapped_column(Integer, index=True)
    period_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    period_start: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[str] = mapped_column(String(10))
    period_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # current revision number
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    deleted_at: Mapped[str | None] = mapped_column(String(32), nullable=True)  # in the bin when set
    revisions: Mapped[list[Revision]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                     order_by="Revision.number")


class Revision(Base):
    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # the report document JSON
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # of `document`, checked at start
    status: Mapped[str] = mapped_column(String(10))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)  # a sent revision never changes
    replaces: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    # set when this revision was handed out as a bundle (Excel or USB package): the next edit opens a new revision
    exported_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    exported_to: Mapped[str | None] = mapped_column(Text, nullable=True)  # the file name it went out as
    report: Mapped[Report] = relationship(back_populates="revisions")


class Received(Base):
    """A bundle received from a commune at the upper level (nq57desk.upper). Every accepted bundle is kept: the
    newest revision per report wins, older ones are history (superseded), a second content of the same revision
    is a conflict; the same content twice is stored once (the unique key)."""

    __tablename__ = "received"
    __table_args__ = (UniqueConstraint("commune_code", "template_id", "period_code", "revision", "sha256"),
                      Index("ix_received_report", "commune_code", "template_id", "period_code"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    template_id: Mapped[str] = mapped_column(String(100))
    period_code: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the document JSON: the same content has the same value
    document: Mapped[str] = mapped_column(Text)  # the document JSON exactly as the bundle carried it
    source_name: Mapped[str] = mapped_column(String(260))  # the path it was imported from
    exported_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    imported_at: Mapped[str] = mapped_column(String(32))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)  # a newer revision of the report came
    province_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    commune_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    template_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    period: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    report_status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of the first error messages
    app_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    public_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # who signed it (base64)
    signature: Mapped[str | None] = mapped_column(String(100), nullable=True)
    signed: Mapped[str | None] = mapped_column(Text, nullable=True)  # the signed fields (JSON), re-verified later


class CommuneKey(Base):
    """A commune's public key as the upper level knows it: confirmed (compared over the phone, or from the
    province's registry file) or pending (came with a bundle; its bundles wait until it is confirmed)."""

    __tablename__ = "commune_key"
    __table_args__ = (UniqueConstraint("commune_code", "public_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))  # confirmed | pending
    source: Mapped[str] = mapped_column(String(20))  # bundle | file | confirmed
    first_seen: Mapped[str] = mapped_column(String(32))
    confirmed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Acknowledgement(Base):
    """A warning the officer has seen and accepted for one report."""

    __tablename__ = "acknowledgement"
    __table_args__ = (UniqueConstraint("report_id", "finding_key", "message"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    finding_key: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(String(32))


@event.listens_for(Revision, "before_insert")
@event.listens_for(Revision, "before_update")
def _checksum(_mapper, _conn, rev: Revision) -> None:
    rev.sha256 = hashlib.sha256(rev.document.encode("utf-8")).hexdigest()


class OutboxItem(Base):
    """A report revision queued for the upper level by e-mail (nq57desk.mail.outbox); the Message-ID the server
    accepted stays with the revision."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("report_id", "revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    status_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message_id: Mapped[str] = mapped_column(String(250))
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    files: Mapped[str] = mapped_column(Text)
    recipients: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    receipt_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class MailTaken(Base):
    """What the upper level took from one attachment of one message of its mailbox (nq57desk.mail.receive)."""

    __tablename__ = "mail_taken"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250), index=True)
    sender: Mapped[str] = mapped_column(String(250))
    sent_date: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mailbox: Mapped[str] = mapped_column(String(250))
    uid: Mapped[str] = mapped_column(String(40))
    attachment: Mapped[str] = mapped_column(String(260))
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    taken_at: Mapped[str] = mapped_column(String(32))
