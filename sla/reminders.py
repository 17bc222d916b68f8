"""P4: an overdue order gets a reminder (催办) on the working day after it fell due; one still
overdue 5 working days later is escalated in writing (督办) to the supervisors.

Both sweeps read the overdue clocks not yet escalated (a partial index keeps that set to the
recent breaches), decide with the working calendar which have reached their step, and claim
them with one conditional UPDATE … RETURNING, so each step is taken once even when two
clocks (or a clock and a manual run) sweep at the same time. A met, cancelled or paused
(R22: waiting for the customer) clock is not overdue; an extension (R15) clears both steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from sla.deadline_math import overdue_steps
from sla.models import Deadline
from sla.notices import describe, notify_many
from sla.ports import SlaPorts
from sla.settings import SlaContext
from sla.watch import (ESCALATION_KINDS, OVERDUE_REMINDER, P4_SUBJECTS, WRITTEN_ESCALATION,
                       Hit, SweepResult, SweepTexts)

# Literal, so the partial index `ix_deadlines_overdue` is visibly implied.
OVERDUE = text("deadlines.state = 'running' AND deadlines.breached_at IS NOT NULL "
               "AND deadlines.escalated_at IS NULL")
CLAIM_CHUNK = 5000
# Clocks the hotline itself must keep (R23 follow-up calls): the owner hears, not the
# department.
HOTLINE_KINDS = ("follow_up",)


def _reached(session: Session, now: datetime, ctx: SlaContext, *, escalation: bool
             ) -> list[int]:
    """Ids of overdue clocks whose reminder (or escalation) moment has come."""
    days = ctx.remind_working_days + (ctx.escalate_working_days if escalation else 0)
    # Each working day is a calendar day, so nothing is due before due_at + (days - 1).
    stmt = select(Deadline.id, Deadline.due_at).where(
        OVERDUE, Deadline.due_at <= now - timedelta(days=days - 1),
        Deadline.subject_type.in_(P4_SUBJECTS), Deadline.kind.not_in(ESCALATION_KINDS),
        Deadline.reminded_at.is_not(None) if escalation else Deadline.reminded_at.is_(None))
    moments: dict[date, tuple[datetime, datetime]] = {}
    reached = []
    for clock_id, due in session.execute(stmt):
        day = (due - timedelta(microseconds=1)).astimezone(ctx.zone).date()
        if day not in moments:
            moments[day] = overdue_steps(due, ctx.calendar, ctx.zone,
                                         remind_after=ctx.remind_working_days,
                                         escalate_after=ctx.escalate_working_days)
        if moments[day][1 if escalation else 0] <= now:
            reached.append(clock_id)
    return reached


def _claim(session: Session, ids: list[int], *, escalation: bool, now: datetime) -> list[Hit]:
    hits: list[Hit] = []
    for i in range(0, len(ids), CLAIM_CHUNK):
        stmt = (update(Deadline)
                .where(OVERDUE, Deadline.id.in_(ids[i:i + CLAIM_CHUNK]),
                       Deadline.reminded_at.is_not(None) if escalation
                       else Deadline.reminded_at.is_(None))
                .values({"escalated_at": now} if escalation else {"reminded_at": now})
                .returning(Deadline.id, Deadline.subject_type, Deadline.subject_id,
                           Deadline.kind, Deadline.due_at)
                .execution_options(synchronize_session=False))
        hits += [Hit(*row) for row in session.execute(stmt)]
    return hits


def sweep_reminders(session: Session, ports: SlaPorts, now: datetime, ctx: SlaContext
                    ) -> SweepResult:
    """催办: the department (the owner, for the hotline's own follow-up clock) is reminded
    of each clock still overdue on the working day after it fell due."""
    hits = _claim(session, _reached(session, now, ctx, escalation=False), escalation=False,
                  now=now)
    infos = describe(session, ports, (h.subject for h in hits))
    texts = SweepTexts()
    notices = []
    for hit in hits:
        info = infos[hit.subject]
        if info.closed:
            continue
        base = f"remind:{hit.id}:{hit.stamp}"
        if info.department_id is not None and hit.kind not in HOTLINE_KINDS:
            notices.append(texts.notice(OVERDUE_REMINDER, hit, info,
                                        f"{base}:d{info.department_id}", "sla_reminder",
                                        "warning", department_id=info.department_id,
                                        exclude_user_id=info.recused_user_id))
        elif info.owner_user_id is not None:
            notices.append(texts.notice(OVERDUE_REMINDER, hit, info,
                                        f"{base}:u{info.owner_user_id}", "sla_reminder",
                                        "warning", user_id=info.owner_user_id,
                                        exclude_user_id=info.recused_user_id))
    return SweepResult(len(hits), notify_many(session, notices, now), 0, [h.id for h in hits])


def sweep_escalations(session: Session, ports: SlaPorts, now: datetime, ctx: SlaContext
                      ) -> SweepResult:
    """督办: a clock still overdue `escalate_working_days` after its reminder is escalated
    in writing to the supervisors, with a copy to the department."""
    hits = _claim(session, _reached(session, now, ctx, escalation=True), escalation=True,
                  now=now)
    infos = describe(session, ports, (h.subject for h in hits))
    texts = SweepTexts()
    notices = []
    for hit in hits:
        info = infos[hit.subject]
        if info.closed:
            continue
        base = f"escalate:{hit.id}:{hit.stamp}"
        notices.append(texts.notice(WRITTEN_ESCALATION, hit, info, f"{base}:supervisor",
                                    "sla_escalation", "danger", role="supervisor",
                                    exclude_user_id=info.recused_user_id))
        if info.department_id is not None:
            notices.append(texts.notice(WRITTEN_ESCALATION, hit, info,
                                        f"{base}:d{info.department_id}", "sla_escalation",
                                        "danger", department_id=info.department_id,
                                        exclude_user_id=info.recused_user_id))
    return SweepResult(len(hits), notify_many(session, notices, now), 0, [h.id for h in hits])
