from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime
from hotline.directory.models import Area

OUTAGE_KINDS = ("planned", "emergency")
OUTAGE_STATUSES = ("scheduled", "active", "restored", "cancelled")

outage_areas = Table(
    "outage_areas",
    Base.metadata,
    Column("outage_id", ForeignKey("outage_notices.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id"), primary_key=True, index=True),
)


class OutageNotice(Base):
    __tablename__ = "outage_notices"
    __table_args__ = (
        CheckConstraint("kind IN ('planned', 'emergency')", name="kind"),
        CheckConstraint("status IN ('scheduled', 'active', 'restored', 'cancelled')",
                        name="status"),
        Index("ix_outage_notices_status_expected_end_at", "status", "expected_end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    cause: Mapped[str] = mapped_column(Text)
    extent: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expected_end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # R25: outages over 12 h need approval; a supervisor may mark short-notice ones urgent.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    areas: Mapped[list[Area]] = relationship(secondary=outage_areas, order_by=Area.code)
    updates: Mapped[list[OutageUpdate]] = relationship(
        back_populates="notice", order_by="OutageUpdate.id", cascade="all, delete-orphan")


class OutageUpdate(Base):
    """A progress note (R26: emergency repairs report progress, passed on to callers)."""

    __tablename__ = "outage_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(
        ForeignKey("outage_notices.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    notice: Mapped[OutageNotice] = relationship(back_populates="updates")


REPORT_SOURCES = ("ivr", "agent")
REPORT_LANGUAGES = ("zh", "en")


class OutageReport(Base):
    """A caller's "no water / low pressure" report recorded against a running outage instead
    of sending a crew: one per phone and outage. On restoration the reporter gets one SMS in
    their language, and a call if they asked for one (`notified_at` marks it done)."""

    __tablename__ = "outage_reports"
    __table_args__ = (
        UniqueConstraint("outage_id", "phone"),
        CheckConstraint("source IN ('ivr', 'agent')", name="source"),
        CheckConstraint("language IN ('zh', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(
        ForeignKey("outage_notices.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20))  # E.164
    language: Mapped[str] = mapped_column(String(2), default="zh")
    wants_call: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(8))
    call_sid: Mapped[str] = mapped_column(String(64), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("customer_accounts.id"))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
