"""R31: home visits by appointment. The agent or the crew books a window with the customer,
who gets an SMS reminding them of it; a `visit` clock runs to the window's end and the
crew's arrival meets it. A crew that cannot come must tell the customer (the SMS this
module sends) at least 2 hours before the window (`HOTLINE_VISIT_NOTICE_MINUTES`); telling
them later breaches the clock at once and the supervisors hear of it, and a crew that
neither comes nor calls off breaches it when the window ends (the watch). Every booking,
move and cancellation is an event on the order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.phones import try_e164
from hotline.errors import ValidationFailed
from hotline.notifications.services import notify
from hotline.telephony.outbox import queue_sms
from sla import clocks
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.rules import sms
from workorders.rules.practice import late_notice, notice_deadline, window_problems
from workorders.services import handling
from workorders.services.common import clock_op, record
from workorders.services.extensions import aware


def _window(params: dict, now: datetime, ctx: SlaContext) -> tuple[datetime, datetime]:
    start = _moment(params.get("window_start"), "window_start", ctx)
    end = _moment(params.get("window_end"), "window_end", ctx)
    problems = window_problems(start, end, now)
    if problems:
        raise ValidationFailed(_("R31: the visit window must be a future period of at most "
                                 "12 hours."), fields=problems)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _moment(value, field: str, ctx: SlaContext) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return aware(value, ctx)
    except ValidationFailed:
        raise ValidationFailed(_("R31: the visit window needs a date and time."),
                               fields={field: "not a date-time"}) from None


def _shown(start: datetime, end: datetime, ctx: SlaContext) -> str:
    """The window in local time, as the customer reads it (11-25 14:00–16:00)."""
    a, b = start.astimezone(ctx.zone), end.astimezone(ctx.zone)
    tail = b.strftime("%H:%M") if a.date() == b.date() else b.strftime("%m-%d %H:%M")
    return f"{a.strftime('%m-%d %H:%M')}–{tail}"


def _tell(session: Session, order: WorkOrder, user: User, body: str, purpose: str,
          now: datetime) -> None:
    if not try_e164(order.contact_phone):
        return
    message = queue_sms(session, order.contact_phone, body, now=now,
                        dedupe_key=f"wo-{purpose}-{order.number}-{now.isoformat()}",
                        subject=order.subject)
    record(session, order, "sms_queued", now=now, actor=user,
           payload={"purpose": purpose, "outbox_id": message.id, "rule": "R31"})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _start_visit_clock(session: Session, order: WorkOrder, user: User, end: datetime,
                       now: datetime) -> None:
    row = clocks.start_clock_until(session, order.subject, "visit", end, now=now, rule="R31")
    record(session, order, "deadline", now=now, actor=user,
           payload={"op": "started", "clocks": [{"kind": row.kind, "due": row.due_at.isoformat(),
                                                 "rule": "R31"}]})


def book_visit(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
               ctx: SlaContext) -> None:
    start, end = _window(params, now, ctx)
    order.visit_start, order.visit_end = start, end
    record(session, order, "book_visit", now=now, actor=user, note=_note(params),
           payload={"window_start": _iso(start), "window_end": _iso(end), "rule": "R31"})
    _start_visit_clock(session, order, user, end, now)
    _tell(session, order, user, sms.visit_booked(order.number, _shown(start, end, ctx)),
          "visit_booked", now)


def rebook_visit(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                 ctx: SlaContext) -> None:
    start, end = _window(params, now, ctx)
    late = _called_off(session, order, user, params, now, ctx, "rebook_visit",
                       to=(start, end))
    order.visit_start, order.visit_end = start, end
    if not late:
        clock_op(session, order, "cancelled", now, user, kinds=["visit"])
    _start_visit_clock(session, order, user, end, now)
    _tell(session, order, user, sms.visit_moved(order.number, _shown(start, end, ctx)),
          "visit_moved", now)


def cancel_visit(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                 ctx: SlaContext) -> None:
    late = _called_off(session, order, user, params, now, ctx, "cancel_visit", to=None)
    order.visit_start = order.visit_end = None
    if not late:
        clock_op(session, order, "cancelled", now, user, kinds=["visit"])
    _tell(session, order, user, sms.visit_cancelled(order.number), "visit_cancelled", now)


def _called_off(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                ctx: SlaContext, action: str, to: tuple[datetime, datetime] | None) -> bool:
    """Record the move or cancellation; a crew's late notice breaches the visit clock (R31).
    Returns whether it was late."""
    notice = timedelta(minutes=ctx.visit_notice_minutes)
    requested_by = params["requested_by"]
    late = late_notice(order.visit_start, now, notice, requested_by)
    deadline = notice_deadline(order.visit_start, notice)
    record(session, order, action, now=now, actor=user, note=_note(params),
           payload={"from": [_iso(order.visit_start), _iso(order.visit_end)],
                    "to": [_iso(to[0]), _iso(to[1])] if to else None,
                    "requested_by": requested_by, "notice_deadline": _iso(deadline),
                    "late_notice": late, "rule": "R31"})
    if late:
        clock_op(session, order, "breached", now, user, kinds=["visit"], at=deadline)
        notify(session, dedupe_key=f"wo-visit-late-{order.number}-{now.isoformat()}",
               kind="sla_breach",
               title=_("R31: %(number)s: the crew called off a visit less than %(minutes)s "
                       "minutes before the window", number=order.number,
                       minutes=ctx.visit_notice_minutes),
               body=_note(params), link=f"/workorders/{order.number}", now=now,
               role="supervisor", severity="danger")
    return late


def arrive(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
           ctx: SlaContext) -> None:
    """The crew is on site (R16, R17); a booked visit is kept (R31)."""
    handling.arrive(session, order, user, params, now, ctx)
    if order.visit_start is not None:
        clock_op(session, order, "met", now, user, kinds=["visit"])
        order.visit_start = order.visit_end = None


def _note(params: dict) -> str:
    return (params.get("reason") or params.get("text") or "").strip()
