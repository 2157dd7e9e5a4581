"""Tables of the local database. The schema is created only by Alembic migrations, never by create_all."""

from __future__ import annotations

import hashlib

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, event
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
    report: Mapped[Report] = relationship(back_populates="revisions")


class Received(Base):
    """Bundles received from communes at the upper level; the newest revision per report wins."""

    __tablename__ = "received"
    __table_args__ = (UniqueConstraint("commune_code", "template_id", "period_code", "revision", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    template_id: Mapped[str] = mapped_column(String(100))
    period_code: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(260))
    exported_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    imported_at: Mapped[str] = mapped_column(String(32))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)


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
