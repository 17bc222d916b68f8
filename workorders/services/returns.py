"""P3: a department that cannot handle an order returns it (退单) with a reason, within 2
working days of dispatch (`HOTLINE_RETURN_WORKING_DAYS`, counted as R21 counts: to 24:00 of
the 2nd working day after the dispatch day). The hotline may dispute a return; a supervisor
then reviews it: upheld, the order stays returned for the hotline to dispatch elsewhere;
overruled, it goes back to the same department with a new accept clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.errors import ValidationFailed
from hotline.notifications.services import notify
from sla.deadline_math import Limit, due_at
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.services import handling
from workorders.services.dispatch import dispatch_to


def return_deadline(order: WorkOrder, ctx: SlaContext) -> datetime | None:
    if order.dispatched_at is None:
        return None
    return due_at(order.dispatched_at, Limit(working_days=ctx.return_working_days),
                  ctx.calendar, ctx.zone)


def return_order(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                 ctx: SlaContext) -> None:
    """The department's return, refused after the P3 window; supervisors returning on a
    department's behalf are not bound by it."""
    last = return_deadline(order, ctx)
    if user.role == roles.STAFF and last is not None and now > last:
        local = last.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")
        raise ValidationFailed(
            _("P3: an order can be returned only within %(days)s working days of dispatch "
              "(until %(until)s); ask for an extension or a supervisor instead.",
              days=ctx.return_working_days, until=local),
            fields={"action": "return window ended " + last.isoformat()})
    order.return_review = ""
    handling.return_order(session, order, user, params, now, ctx)


def dispute_return(session: Session, order: WorkOrder, user: User, params: dict,
                   now: datetime, ctx: SlaContext) -> None:
    order.return_review = "disputed"
    notify(session, dedupe_key=f"wo-return-disputed-{order.number}-{now.isoformat()}",
           kind="work_order", title=_("P3: %(number)s: return disputed, please review",
                                      number=order.number),
           body=params["reason"].strip(), link=f"/workorders/{order.number}", now=now,
           role="supervisor", severity="warning")


def review_return(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                  ctx: SlaContext) -> None:
    decision = params["decision"]
    order.return_review = decision
    if decision == "overruled":
        if order.department is None:
            raise ValidationFailed(_("The order has no department to send it back to."),
                                   fields={"decision": "no department"})
        dispatch_to(session, order, order.department, actor=user, now=now,
                    from_status="returned", ctx=ctx)
        return
    if order.owner_id:
        notify(session, dedupe_key=f"wo-return-upheld-{order.number}-{now.isoformat()}",
               kind="work_order", title=_("P3: %(number)s: return upheld, dispatch it "
                                          "elsewhere", number=order.number),
               body=params["reason"].strip(), link=f"/workorders/{order.number}", now=now,
               user_id=order.owner_id)
