from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, Float, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime

DEADLINE_STATES = ("running", "paused", "met", "cancelled")


class SlaPolicy(Base):
    """An admin-editable time limit: per category ("*" = any) and clock kind, optionally per
    area kind. Seeded from `sla.policies.DEFAULT_POLICIES`."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        UniqueConstraint("category", "kind", "area_kind", "starts_on"),
        CheckConstraint("(limit_minutes IS NULL) <> (limit_working_days IS NULL)",
                        name="one_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    area_kind: Mapped[str | None] = mapped_column(String(16))
    starts_on: Mapped[str] = mapped_column(String(16))
    limit_minutes: Mapped[int | None] = mapped_column(Integer)
    limit_working_days: Mapped[int | None] = mapped_column(Integer)
    warn_ratio: Mapped[float] = mapped_column(Float, default=0.8)
    rule: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Deadline(Base):
    """One clock on one subject (a work order, a callback, a cluster). One row per clock so
    that a sweep is one indexed query over what is running and due."""

    __tablename__ = "deadlines"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'paused', 'met', 'cancelled')", name="state"),
        Index("ix_deadlines_subject", "subject_type", "subject_id", "kind"),
        Index("ix_deadlines_state_due_at", "state", "due_at"),
        Index("ix_deadlines_state_warn_at", "state", "warn_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(32), default="")
    limit_minutes: Mapped[int | None] = mapped_column(Integer)
    limit_working_days: Mapped[int | None] = mapped_column(Integer)
    warn_ratio: Mapped[float] = mapped_column(Float, default=0.8)
    state: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    original_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def on_time(self) -> bool | None:
        if self.met_at is None:
            return None
        return self.met_at <= self.due_at


class CalendarDay(Base):
    """An admin override of the statutory calendar, with the official notice it follows."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
