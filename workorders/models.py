from __future__ import annotations

from datetime import date, datetime

from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer,
                        Numeric, String, Text, event)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.db import Base, UTCDateTime
from hotline.directory.models import Area, CustomerAccount, Department

PRIORITIES = ("urgent", "high", "normal", "low")
CHANNELS = ("phone", "console", "api", "voicemail", "web", "sms")


class Category(Base):
    """What a caller reports. Codes are stable (API, CLI, SLA policies); names and defaults
    are admin-editable."""

    __tablename__ = "wo_categories"
    __table_args__ = (
        CheckConstraint("priority IN ('urgent', 'high', 'normal', 'low')", name="priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    # None: answered on the call, never dispatched (R6).
    department_kind: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_zh


class RoutingRule(Base):
    """R7–R11: a category (optionally in one area) goes to a department kind, or to one
    fixed department. Evaluated by `workorders.rules.routing.route`."""

    __tablename__ = "wo_routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("wo_categories.code"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    department_kind: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rule_ref: Mapped[str] = mapped_column(String(32), default="")

    area: Mapped[Area | None] = relationship()
    department: Mapped[Department | None] = relationship()


class DayCounter(Base):
    """The last sequence number given out on a local day; bumped with one UPDATE so two
    agents saving at once never get the same number."""

    __tablename__ = "wo_day_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class WorkOrder(Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'dispatched', 'accepted', 'in_progress', 'awaiting_customer', "
            "'resolved', 'closed', 'returned', 'merged', 'cancelled', 'reopened')",
            name="status"),
        Index("ix_work_orders_department_id_status", "department_id", "status"),
        Index("ix_work_orders_department_id_opened_at", "department_id", "opened_at"),
        Index("ix_work_orders_department_id_next_due_at", "department_id", "next_due_at"),
        Index("ix_work_orders_category_area_opened", "category_code", "area_id", "opened_at"),
        Index("ix_work_orders_status_opened_at", "status", "opened_at"),
        Index("ix_work_orders_opened_at", "opened_at"),
        Index("ix_work_orders_next_due_at", "next_due_at"),
        # R13: an earlier order from the same address (phone and account have theirs).
        Index("ix_work_orders_street_house_number", "street", "house_number"),
        # The follow-up list (R23) in keyset order; the pending extension requests (R15).
        Index("ix_work_orders_status_resolved_at", "status", "resolved_at", "id"),
        Index("ix_work_orders_extension_due", "extension_due"),
        # The agent's own open orders (R20), counted on the home page.
        Index("ix_work_orders_owner_id_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(ForeignKey("wo_categories.code"))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    # R4: who called and where they live (R27: the complainant's own address, hidden from
    # departments when the complainant asked for confidentiality).
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("customer_accounts.id"),
                                                   index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    street: Mapped[str] = mapped_column(String(200), default="")
    house_number: Mapped[str] = mapped_column(String(50), default="")
    landmark: Mapped[str] = mapped_column(String(200), default="")
    # R27: where the work is, kept apart from the complainant's address; departments always
    # see it. It defaults to the complainant's address unless the complaint is confidential.
    work_street: Mapped[str] = mapped_column(String(200), default="")
    work_house_number: Mapped[str] = mapped_column(String(50), default="")
    work_landmark: Mapped[str] = mapped_column(String(200), default="")
    # R4 fields still missing (e.g. a voicemail): an agent completes them.
    missing_details: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    call_sid: Mapped[str] = mapped_column(String(64), default="", index=True)
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("wo_routing_rules.id"))
    routed_by: Mapped[str] = mapped_column(String(64), default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # R28: the staff member a complaint is about never handles it.
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # R10: the unit a complaint is about (or the subject user's unit) handles it, and the
    # customer-service centre oversees it.
    subject_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    overseer_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"),
                                                               index=True)
    # R13: a repeated complaint (重复投诉) names the earlier order it repeats; the manager's
    # review (by the second working day) is recorded.
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    repeat_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)  # R27
    master_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    # P1: the knowledge-base revision an order closed on the call was answered from (the
    # text the caller heard stays readable after later edits).
    article_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_article_revisions.id"), index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    follow_up_attempts: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    extension_kind: Mapped[str | None] = mapped_column(String(32))
    extension_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    # R15: when the department asked; a later approval counts from here.
    extension_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # R16: a leak marked small repair is due at 24:00 of the day it was opened.
    small_repair: Mapped[bool] = mapped_column(Boolean, default=False)
    # R19: an enquiry a supervisor marked special gets 3 working days to reply.
    special: Mapped[bool] = mapped_column(Boolean, default=False)
    # P3: "" | disputed (a supervisor reviews the return) | upheld | overruled.
    return_review: Mapped[str] = mapped_column(String(16), default="")
    # R31: the home-visit window booked with the customer (the events keep every booking).
    visit_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visit_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # R16, R17: when the crew reported on site since the department last accepted the order
    # (one arrival per acceptance: "已到达现场" pressed twice logs one event).
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Cache of the earliest running deadline (sla `deadlines` stay the truth), kept by
    # `services.common.refresh_due` so a queue sorts by due time on an index.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    category: Mapped[Category] = relationship(lazy="joined")
    area: Mapped[Area | None] = relationship()
    account: Mapped[CustomerAccount | None] = relationship()
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    master: Mapped[WorkOrder | None] = relationship(remote_side=[id], foreign_keys=[master_id])
    repeat_of: Mapped[WorkOrder | None] = relationship(remote_side=[id],
                                                       foreign_keys=[repeat_of_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    subject_department: Mapped[Department | None] = relationship(
        foreign_keys=[subject_department_id])
    overseer: Mapped[Department | None] = relationship(foreign_keys=[overseer_department_id])
    reward: Mapped[TheftReward | None] = relationship(uselist=False)

    # Every UPDATE is `... WHERE id = :id AND version = :seen`: a stale writer gets no row
    # (StaleDataError → 409), which also makes claiming race-free.
    __mapper_args__ = {"version_id_col": version}

    @property
    def address(self) -> str:
        text = "".join(p for p in (self.street, self.house_number) if p)
        return f"{text}（{self.landmark}）" if self.landmark else text

    @property
    def work_location(self) -> str:
        text = "".join(p for p in (self.work_street, self.work_house_number) if p)
        return f"{text}（{self.work_landmark}）" if self.work_landmark else text

    @property
    def subject(self) -> tuple[str, int]:
        return ("work_order", self.id)


class WorkOrderEvent(Base):
    """Append-only audit trail: never updated or deleted."""

    __tablename__ = "work_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # Never holds the complainant's name, phone or account (R27): events are shown to staff.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


@event.listens_for(WorkOrderEvent, "before_update")
@event.listens_for(WorkOrderEvent, "before_delete")
def _events_are_append_only(mapper, connection, target) -> None:
    raise PermissionError("work-order events are append-only")


class FollowUp(Base):
    """One follow-up call (回访, R23): its outcome and the customer's scores."""

    __tablename__ = "wo_follow_ups"
    __table_args__ = (
        CheckConstraint("outcome IN ('satisfied', 'unsatisfied', 'unreachable')",
                        name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    attitude: Mapped[int | None] = mapped_column(Integer)
    quality: Mapped[int | None] = mapped_column(Integer)
    timeliness: Mapped[int | None] = mapped_column(Integer)
    result_score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class TheftReward(Base):
    """R11: enforcement confirmed a theft report; a supervisor decides the reporter's reward
    (amount, approver). Shown to enforcement and supervisors only, never in events."""

    __tablename__ = "wo_theft_rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finding: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")

    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])


class OrderPhoto(Base):
    """A photo a crew took on site (JPEG or PNG, checked by content and re-encoded without
    its metadata), stored under `HOTLINE_PHOTO_DIR` with a thumbnail. `key` names the files
    and the URL; the bytes are served only to users who may see the order."""

    __tablename__ = "wo_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_type: Mapped[str] = mapped_column(String(16))  # image/jpeg | image/png
    size: Mapped[int] = mapped_column(Integer)  # bytes stored
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    uploaded_by: Mapped[User | None] = relationship()


class Submission(Base):
    """A console form's idempotency token, written in the same transaction as what the form
    did: the same form sent twice (a double tap, a resend) finds its token and does nothing
    more."""

    __tablename__ = "wo_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
