"""Action handlers for R15: a department that cannot finish in time asks for more time before
the deadline, a supervisor approves (the customer is told the new time) or rejects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.phones import try_e164
from hotline.errors import ValidationFailed
from hotline.telephony.outbox import queue_sms
from sla import clocks
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.rules import sms
from workorders.services.common import notify_order, record


def request_extension(session: Session, order: WorkOrder, user: User, params: dict,
                      now: datetime, ctx: SlaContext) -> None:
    new_due = aware(params["new_due"], ctx)
    if new_due <= now:
        raise ValidationFailed(_("The new time must be in the future."),
                               fields={"new_due": "in the past"})
    kind = (params.get("kind") or "").strip() or None
    running = clocks.active_clocks(session, order.subject)
    candidates = [r for r in running if r.state == "running" and r.kind != "follow_up"
                  and (kind is None or r.kind == kind)]
    if not candidates:
        raise ValidationFailed(_("There is no running deadline to extend."),
                               fields={"kind": "no clock"})
    # R15: asked for before the deadline.
    clock = max(candidates, key=lambda r: r.due_at) if kind is None else candidates[0]
    if now > clock.due_at:
        raise ValidationFailed(_("R15: an extension must be asked for before the deadline."),
                               fields={"new_due": "deadline already passed"})
    if new_due <= clock.due_at:
        raise ValidationFailed(_("The new time must be later than the current deadline."),
                               fields={"new_due": "must be after " + clock.due_at.astimezone(ctx.zone).isoformat()})
    order.extension_kind = clock.kind
    order.extension_due = new_due
    order.extension_reason = params["reason"].strip()
    order.extension_requested_at = now
    notify_order(session, order, dedupe_key=f"wo-extension-{order.number}-{now.isoformat()}",
                 kind="work_order", title=_("%(number)s: extension requested", number=order.number),
                 body=order.extension_reason, link=f"/workorders/{order.number}", now=now,
                 role="supervisor")


def approve_extension(session: Session, order: WorkOrder, user: User, params: dict,
                      now: datetime, ctx: SlaContext) -> None:
    # R15: the request was made before the deadline; an approval after it still counts.
    row = clocks.extend(session, order.subject, order.extension_kind, order.extension_due,
                        now=now, reason=order.extension_reason,
                        requested_at=order.extension_requested_at)
    record(session, order, "deadline", now=now, actor=user,
           payload={"op": "extended", "clocks": [{"kind": row.kind, "due": row.due_at.isoformat(),
                                                  "rule": "R15"}]})
    if try_e164(order.contact_phone):  # R15: the customer is told the new time
        local = row.due_at.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")
        message = queue_sms(session, order.contact_phone, sms.new_time(order.number, local),
                            now=now, dedupe_key=f"wo-newtime-{order.number}-{now.isoformat()}",
                            subject=order.subject)
        record(session, order, "sms_queued", now=now, actor=user,
               payload={"purpose": "new_time", "outbox_id": message.id})
    order.extension_kind = None
    order.extension_due = None
    order.extension_requested_at = None
    order.extension_reason = ""


def reject_extension(session: Session, order: WorkOrder, user: User, params: dict,
                     now: datetime, ctx: SlaContext) -> None:
    order.extension_kind = None
    order.extension_due = None
    order.extension_requested_at = None
    order.extension_reason = ""


def aware(value, ctx: SlaContext) -> datetime:
    """The requested time: an aware datetime, or ISO text; people type local times."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(_("The new time must be a date and time."),
                                   fields={"new_due": "not a date-time"}) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ctx.zone)
    return value
