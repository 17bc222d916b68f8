"""Deadline rows: started, met, paused, resumed and extended by the services that own the
subject (work orders, callbacks, clusters). Subjects are (type, id) pairs, so this module
knows nothing about what it times."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.errors import ValidationFailed
from hotline.web.formatting import local_iso
from sla import deadline_math
from sla.deadline_math import Limit
from sla.models import Deadline, SlaPolicy
from sla.policies import select_policies
from sla.settings import SlaContext

ACTIVE = ("running", "paused")
Subject = tuple[str, int]


def limit_of(row: Deadline | SlaPolicy) -> Limit:
    return Limit(minutes=row.limit_minutes, working_days=row.limit_working_days)


def active_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True))))


def planned_deadlines(session: Session, category: str, area_kind: str | None, start: datetime,
                      *, ctx: SlaContext, starts_on: str = "open",
                      priority: str | None = None) -> dict[str, datetime]:
    """The due times a subject of `category` would get if its clocks started at `start`."""
    return {
        policy.kind: deadline_math.due_at(start, limit_of(policy), ctx.calendar, ctx.zone)
        for policy in select_policies(active_policies(session), category, area_kind, starts_on,
                                      priority)
    }


def start_clocks(session: Session, subject: Subject, category: str, area_kind: str | None,
                 *, starts_on: str, now: datetime, ctx: SlaContext, priority: str | None = None,
                 since: datetime | None = None) -> list[Deadline]:
    """Start every clock the policies give for this event (open, dispatch, resolve, cluster,
    small_repair, special, <stage>_done). A clock of the same kind still running is
    cancelled first (a re-dispatch restarts it; R16/R19 replace the ordinary limit).
    `priority` selects R14 tiers; `since` is the moment the limits count from when that is
    not now (R19: a special enquiry's 3 working days count from its opening). `ctx` is the
    utility's zone and working calendar (R21)."""
    started = []
    for policy in select_policies(active_policies(session), category, area_kind, starts_on,
                                  priority):
        started.append(start_clock(session, subject, policy.kind, limit_of(policy), now=now,
                                   rule=policy.rule, warn_ratio=policy.warn_ratio, ctx=ctx,
                                   since=since))
    return started


def start_clock(session: Session, subject: Subject, kind: str, limit: Limit, *, now: datetime,
                ctx: SlaContext, rule: str = "", warn_ratio: float = 0.8,
                since: datetime | None = None) -> Deadline:
    start = since or now
    due = deadline_math.due_at(start, limit, ctx.calendar, ctx.zone)
    return _new_clock(session, subject, kind, due, start=start, limit=limit, rule=rule,
                      warn_ratio=warn_ratio)


def start_clock_until(session: Session, subject: Subject, kind: str, due: datetime, *,
                      now: datetime, rule: str = "", warn_ratio: float = 0.8) -> Deadline:
    """A clock with a due time agreed rather than computed (R31: the end of a visit window
    booked with the customer). It keeps its length in minutes, so a pause (R22) gives back
    the time that was left."""
    if due.tzinfo is None:
        raise ValidationFailed(_("the new time needs a time zone"), fields={"due": "naive"})
    limit = Limit(minutes=max(0, -(-int((due - now).total_seconds()) // 60)))
    return _new_clock(session, subject, kind, due, start=now, limit=limit, rule=rule,
                      warn_ratio=warn_ratio)


def _new_clock(session: Session, subject: Subject, kind: str, due: datetime, *,
               start: datetime, limit: Limit, rule: str, warn_ratio: float) -> Deadline:
    for old in active_clocks(session, subject, kinds=[kind]):
        old.state = "cancelled"
    row = Deadline(
        subject_type=subject[0], subject_id=subject[1], kind=kind, rule=rule,
        limit_minutes=limit.minutes, limit_working_days=limit.working_days,
        warn_ratio=warn_ratio, state="running", started_at=start, due_at=due,
        original_due_at=due, warn_at=deadline_math.warn_at(start, due, warn_ratio),
        extension_reason="",
    )
    session.add(row)
    session.flush()
    return row


def active_clocks(session: Session, subject: Subject,
                  kinds: Iterable[str] | None = None) -> list[Deadline]:
    stmt = select(Deadline).where(Deadline.subject_type == subject[0],
                                  Deadline.subject_id == subject[1],
                                  Deadline.state.in_(ACTIVE))
    if kinds is not None:
        stmt = stmt.where(Deadline.kind.in_(list(kinds)))
    return list(session.scalars(stmt.order_by(Deadline.due_at)))


def earliest_running(session: Session, subject_type: str, ids: Iterable[int],
                     kinds: Iterable[str]) -> dict[int, datetime]:
    """For a page of subjects at once: each one's earliest running clock of `kinds` (absent
    when none runs), in one query on the subject index instead of one per subject."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(Deadline.subject_id, func.min(Deadline.due_at))
        .where(Deadline.subject_type == subject_type, Deadline.subject_id.in_(ids),
               Deadline.kind.in_(list(kinds)), Deadline.state == "running")
        .group_by(Deadline.subject_id)).all())


def clocks_of(session: Session, subject: Subject) -> list[Deadline]:
    return list(session.scalars(
        select(Deadline).where(Deadline.subject_type == subject[0],
                               Deadline.subject_id == subject[1]).order_by(Deadline.id)))


def meet(session: Session, subject: Subject, kinds: Iterable[str], *, now: datetime
         ) -> list[Deadline]:
    """The subject did what the clocks of `kinds` waited for (accepted, arrived, replied…)."""
    met = active_clocks(session, subject, kinds=kinds)
    for row in met:
        if row.state == "paused":
            row.paused_at = None
        row.state = "met"
        row.met_at = now
        if now > row.due_at and row.breached_at is None:
            row.breached_at = row.due_at
    return met


def breach_now(session: Session, subject: Subject, kinds: Iterable[str], *, at: datetime,
               now: datetime) -> list[Deadline]:
    """An obligation missed before its clock ran out (R31: a crew calling off a visit less
    than 2 hours before the window): the clock is decided, as breached at `at`. It counts
    as late in the on-time rates; the caller tells whoever must hear of it."""
    rows = active_clocks(session, subject, kinds=kinds)
    for row in rows:
        if row.state == "paused":
            row.paused_at = None
        row.state = "met"
        row.met_at = now
        row.breached_at = min(at, now)
    return rows


def cancel(session: Session, subject: Subject, *, kinds: Iterable[str] | None = None,
           now: datetime) -> list[Deadline]:
    """Stop clocks that no longer apply (order cancelled, merged, returned)."""
    rows = active_clocks(session, subject, kinds=kinds)
    for row in rows:
        row.state = "cancelled"
    return rows


def pause(session: Session, subject: Subject, *, now: datetime) -> list[Deadline]:
    """R22: waiting for the customer's material stops the clocks."""
    rows = [r for r in active_clocks(session, subject) if r.state == "running"]
    for row in rows:
        row.state = "paused"
        row.paused_at = now
    return rows


def resume(session: Session, subject: Subject, *, now: datetime,
           ctx: SlaContext) -> list[Deadline]:
    """R22: hour clocks get back the time they had left; day clocks restart from the day after
    the material arrived."""
    rows = [r for r in active_clocks(session, subject) if r.state == "paused"]
    for row in rows:
        due = deadline_math.resume_due(row.paused_at, row.due_at, now, limit_of(row),
                                       ctx.calendar, ctx.zone)
        row.due_at = due
        row.warn_at = deadline_math.warn_at(now, due, row.warn_ratio)
        row.warned_at = None
        row.state = "running"
        row.paused_at = None
    return rows


def extend(session: Session, subject: Subject, kind: str, new_due: datetime, *, now: datetime,
           reason: str, requested_at: datetime | None = None) -> Deadline:
    """R15: an approved extension replaces the due time; the original stays for reporting.
    The department must ask before the deadline (`requested_at`, default `now`); a
    supervisor may approve afterwards, which lifts a breach the watch marked meanwhile."""
    if new_due is None or new_due.tzinfo is None:
        raise ValidationFailed(_("the new time needs a time zone"), fields={"new_due": "naive"})
    if not (reason or "").strip():
        raise ValidationFailed(_("an extension needs a reason"), fields={"reason": "required"})
    rows = active_clocks(session, subject, kinds=[kind])
    if not rows:
        raise ValidationFailed(_("no running %(kind)s clock to extend", kind=kind),
                               fields={"kind": kind})
    row = rows[0]
    if new_due <= row.due_at:
        raise ValidationFailed(_("the new time must be later than the current deadline"),
                               fields={"new_due": "must be after " + local_iso(row.due_at)})
    asked = requested_at or now
    if asked > row.due_at:
        raise ValidationFailed(_("R15: an extension must be asked for before the deadline"),
                               fields={"new_due": "deadline already passed"})
    if new_due <= now:
        raise ValidationFailed(_("the new time must be in the future"),
                               fields={"new_due": "in the past"})
    row.breached_at = None
    row.reminded_at = None
    row.escalated_at = None
    row.due_at = new_due
    row.warn_at = deadline_math.warn_at(now, new_due, row.warn_ratio)
    row.warned_at = None
    row.extended_at = now
    row.extension_reason = reason.strip()
    return row
