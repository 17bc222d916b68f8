from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime
from sla.level_rates import LevelRates

DEADLINE_STATES = ("running", "paused", "met", "cancelled")


class SlaPolicy(Base):
    """An admin-editable time limit: per category ("*" = any) and clock kind, optionally per
    area kind and (R14 tiers) per order priority. Seeded from
    `sla.policies.DEFAULT_POLICIES`."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        UniqueConstraint("category", "kind", "area_kind", "starts_on", "priority"),
        CheckConstraint("(limit_minutes IS NULL) <> (limit_working_days IS NULL)",
                        name="one_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    area_kind: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(8))
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
        # The sweeps read only what is running and not yet handled: partial indexes keep
        # their cost proportional to the due clocks, not to the (mostly met) table.
        Index("ix_deadlines_due_unbreached", "due_at",
              sqlite_where=text("state = 'running' AND breached_at IS NULL"),
              postgresql_where=text("state = 'running' AND breached_at IS NULL")),
        Index("ix_deadlines_warn_unwarned", "warn_at",
              sqlite_where=text("state = 'running' AND warned_at IS NULL "
                                "AND breached_at IS NULL"),
              postgresql_where=text("state = 'running' AND warned_at IS NULL "
                                    "AND breached_at IS NULL")),
        Index("ix_deadlines_active_kind_due", "kind", "due_at",
              sqlite_where=text("state IN ('running', 'paused')"),
              postgresql_where=text("state IN ('running', 'paused')")),
        Index("ix_deadlines_due_at", "due_at"),
        # P4: overdue clocks not yet escalated in writing (督办), for the reminder sweeps.
        Index("ix_deadlines_overdue", "due_at",
              sqlite_where=text("state = 'running' AND breached_at IS NOT NULL "
                                "AND escalated_at IS NULL"),
              postgresql_where=text("state = 'running' AND breached_at IS NOT NULL "
                                    "AND escalated_at IS NULL")),
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
    # P4: the reminder (催办) and the written escalation (督办) of an overdue clock.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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


class CalendarYear(Base):
    """An admin confirmed a year's working calendar after reviewing the official notice
    (the State Council publishes the next year's holidays and 调休 each autumn)."""

    __tablename__ = "calendar_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")


CLUSTER_STATES = ("open", "closed")


class Cluster(Base):
    """R13: several open subjects of one category in one area within a short window."""

    __tablename__ = "sla_clusters"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        # At most one open cluster per category and area: a later order joins it.
        Index("uq_sla_clusters_open", "category", "area_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(32), default="work_order")
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list[ClusterMember]] = relationship(
        back_populates="cluster", order_by="ClusterMember.subject_id",
        cascade="all, delete-orphan")

    @property
    def member_ids(self) -> list[int]:
        return [m.subject_id for m in self.members]


class ClusterMember(Base):
    __tablename__ = "sla_cluster_members"
    __table_args__ = (UniqueConstraint("cluster_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("sla_clusters.id"))
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    cluster: Mapped[Cluster] = relationship(back_populates="members")


class ServiceLevelInterval(LevelRates, Base):
    """R1, R2: one 15-minute rollup of the calls offered to agents on one line. Recomputing
    an interval replaces its row (late webhooks fix themselves)."""

    __tablename__ = "service_level_intervals"
    __table_args__ = (UniqueConstraint("line", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(32), default="hotline")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_threshold: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    short_abandoned: Mapped[int] = mapped_column(Integer, default=0)
    wait_seconds_total: Mapped[float] = mapped_column(Float, default=0.0)
    longest_wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClockLease(Base):
    """Exactly one active clock process: whoever holds an unexpired lease runs the jobs."""

    __tablename__ = "clock_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
