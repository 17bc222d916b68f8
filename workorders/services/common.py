"""Shared pieces of the services: who the actor is to the state machine, the order a user
may see, events, and SLA calls recorded as events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.auth.permissions import visible_department_ids
from hotline.errors import NotFound
from sla import clocks
from sla.notices import Notice, notify_many
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.rules.numbers import normalise
from workorders.rules.practice import stages_of
from workorders.rules.states import THEFT_CATEGORY, Actor, OrderFacts

# Clocks a caller cares about (not the department's 20-minute accept, not our follow-up).
CUSTOMER_CLOCKS = ("on_site", "respond", "reply", "resolve", "survey", "design",
                   "construction", "visit")


def actor_of(session: Session, user: User) -> Actor:
    ids = visible_department_ids(session, user)
    return Actor(id=user.id, role=user.role, department_ids=frozenset(ids or ()))


def facts_of(order: WorkOrder) -> OrderFacts:
    # Only a theft report loads its reward row (R11): lists stay one query.
    reward = order.reward if order.category_code == THEFT_CATEGORY else None
    return OrderFacts(status=order.status, department_id=order.department_id,
                      owner_id=order.owner_id, subject_user_id=order.subject_user_id,
                      extension_pending=order.extension_due is not None,
                      category=order.category_code,
                      overseer_department_id=order.overseer_department_id,
                      repeat_pending=order.repeat_of_id is not None
                      and order.repeat_reviewed_at is None,
                      theft_confirmed=reward is not None,
                      reward_decided=reward is not None and reward.decided_at is not None,
                      return_disputed=order.return_review == "disputed",
                      small_repair=bool(order.small_repair),
                      special=bool(order.special), visit_booked=order.visit_start is not None,
                      on_site=order.arrived_at is not None)


def can_view(session: Session, user: User, order: WorkOrder) -> bool:
    """Staff see their departments' orders and those their department oversees (R10, R29);
    nobody reads a complaint about themselves (R28)."""
    if order.subject_user_id is not None and order.subject_user_id == user.id:
        return False
    ids = visible_department_ids(session, user)
    return ids is None or any(d is not None and d in ids for d in (
        order.department_id, order.overseer_department_id))


def order_by_number(session: Session, number: str) -> WorkOrder | None:
    canonical = normalise(number)
    if canonical is None:
        return None
    stmt = select(WorkOrder).where(WorkOrder.number == canonical)
    return session.scalar(stmt)


def visible_order(session: Session, user: User, number: str) -> WorkOrder:
    """The order, or NotFound — also for orders of other departments: staff must not learn
    that a number exists elsewhere."""
    order = order_by_number(session, number)
    if order is None or not can_view(session, user, order):
        raise NotFound(_("No work order %(number)s.", number=number))
    return order


def sees_complainant(user: User | None, order: WorkOrder) -> bool:
    """R27: department staff never see who made a confidential complaint."""
    if user is None:
        return False
    return not (order.confidential and user.role == "staff")


def notify_order(session: Session, order: WorkOrder, *, now: datetime, dedupe_key: str,
                 kind: str, title: str, body: str = "", link: str = "",
                 severity: str = "info", user_id: int | None = None, role: str | None = None,
                 department_id: int | None = None) -> None:
    """A notification about `order`; R28: never to the staff member it is about (one to
    their department or role goes to each of the others instead)."""
    notify_many(session, [Notice(dedupe_key, kind, title, body=body, link=link,
                                 severity=severity, user_id=user_id, role=role,
                                 department_id=department_id,
                                 exclude_user_id=order.subject_user_id)], now)


def record(session: Session, order: WorkOrder, action: str, *, now: datetime,
           actor: User | None = None, from_status: str | None = None,
           to_status: str | None = None, note: str = "", payload: dict | None = None
           ) -> WorkOrderEvent:
    event = WorkOrderEvent(order_id=order.id, at=now, actor_id=actor.id if actor else None,
                           action=action, from_status=from_status, to_status=to_status,
                           note=note, payload=payload or {})
    session.add(event)
    return event


def _clock_payload(op: str, rows) -> dict:
    return {"op": op, "clocks": [{"kind": r.kind, "due": r.due_at.isoformat(),
                                  "rule": r.rule} for r in rows]}


def area_kind(order: WorkOrder) -> str | None:
    return order.area.kind if order.area is not None else None


def start_clocks(session: Session, order: WorkOrder, starts_on: str, now: datetime,
                 actor: User | None, *, ctx: SlaContext, fallback=None,
                 since: datetime | None = None) -> list:
    """Start the policies' clocks for `starts_on` (R14 tiers follow the order's priority);
    `fallback` (kind, Limit, rule) starts when no active policy gives that kind. Returns the
    clocks started."""
    rows = clocks.start_clocks(session, order.subject, order.category_code, area_kind(order),
                               starts_on=starts_on, now=now, ctx=ctx, priority=order.priority,
                               since=since)
    if fallback is not None and not any(r.kind == fallback[0] for r in rows):
        rows.append(clocks.start_clock(session, order.subject, fallback[0], fallback[1],
                                       now=now, rule=fallback[2], ctx=ctx))
    if rows:
        record(session, order, "deadline", now=now, actor=actor,
               payload=_clock_payload("started", rows))
    return rows


def clock_op(session: Session, order: WorkOrder, op: str, now: datetime,
             actor: User | None = None, kinds=None, at: datetime | None = None) -> None:
    if op == "met":
        rows = clocks.meet(session, order.subject, kinds, now=now)
    elif op == "breached":  # R31: an obligation missed at `at`, before the clock ran out
        rows = clocks.breach_now(session, order.subject, kinds, at=at or now, now=now)
    elif op == "cancelled":
        rows = clocks.cancel(session, order.subject, kinds=kinds, now=now)
    elif op == "paused":
        rows = clocks.pause(session, order.subject, now=now)
    else:  # pragma: no cover - programming error
        raise ValueError(op)
    if rows:
        record(session, order, "deadline", now=now, actor=actor,
               payload=_clock_payload(op, rows))


def resume_clocks(session: Session, order: WorkOrder, now: datetime, actor: User | None, *,
                  ctx: SlaContext) -> None:
    """R22: the customer's material arrived; the paused clocks run again."""
    rows = clocks.resume(session, order.subject, now=now, ctx=ctx)
    if rows:
        record(session, order, "deadline", now=now, actor=actor,
               payload=_clock_payload("resumed", rows))


def note_of(params: dict) -> str:
    """The free text of an action (its note, reason or result), for the event."""
    for key in ("text", "reason", "result"):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def refresh_due(session: Session, order: WorkOrder) -> None:
    """Keep `order.next_due_at` (the queue's sort key) equal to its earliest running clock.
    Called after every clock change the work-order services make."""
    session.flush()
    running = [r.due_at for r in clocks.active_clocks(session, order.subject)
               if r.state == "running"]
    order.next_due_at = min(running, default=None)


def next_customer_due(session: Session, order: WorkOrder) -> datetime | None:
    running = [r for r in clocks.active_clocks(session, order.subject, kinds=CUSTOMER_CLOCKS)
               if r.state == "running"]
    return min((r.due_at for r in running), default=None)


def running_stage(session: Session, order: WorkOrder) -> str | None:
    """R24: the stage of a connection application whose clock runs (None: not staged)."""
    stages = stages_of(order.category_code)
    if not stages:
        return None
    kinds = {r.kind for r in clocks.active_clocks(session, order.subject, kinds=stages)}
    return next((s for s in stages if s in kinds), None)
