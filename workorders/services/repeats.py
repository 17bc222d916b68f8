"""R13, repeated complaints (重复投诉): the same caller, account or address reporting the same
matter (category) again while an earlier order is open, or within `days` of its closing.
The new order is linked to the earlier one, marked, and escalated to the manager by the
second working day; the manager's review meets the escalation clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from sla.deadline_math import Limit
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.services.common import clock_op, notify_order, record, start_clocks

REPEAT_DAYS = 30  # R13, the seeded default of HOTLINE_REPEAT_COMPLAINT_DAYS
ESCALATION = Limit(working_days=2)  # R13, when no active policy says otherwise
# An earlier order merged into another or cancelled was never a matter handled on its own.
NOT_COUNTED = ("merged", "cancelled")


def earlier_order(session: Session, order: WorkOrder, *, now: datetime,
                  days: int) -> WorkOrder | None:
    """The latest earlier order of the same category from the same phone, account or
    address (street and house number) that is still open or closed within `days`."""
    same_source = []
    if order.contact_phone:
        same_source.append(WorkOrder.contact_phone == order.contact_phone)
    if order.account_id is not None:
        same_source.append(WorkOrder.account_id == order.account_id)
    if order.street and order.house_number:
        same_source.append(and_(WorkOrder.street == order.street,
                                WorkOrder.house_number == order.house_number))
    if not same_source:
        return None
    base = select(WorkOrder).where(
        WorkOrder.id != order.id, WorkOrder.category_code == order.category_code,
        WorkOrder.status.not_in(NOT_COUNTED),
        or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at >= now - timedelta(days=days)))
    # One indexed look-up per source (phone, account, address) rather than one OR.
    found = [session.scalar(base.where(clause).order_by(WorkOrder.opened_at.desc(),
                                                         WorkOrder.id.desc()).limit(1))
             for clause in same_source]
    found = [f for f in found if f is not None]
    return max(found, key=lambda o: (o.opened_at, o.id)) if found else None


def mark_repeat(session: Session, order: WorkOrder, earlier: WorkOrder, *,
                actor: User | None, now: datetime, ctx: SlaContext) -> None:
    """Link, mark, start the escalation clock and tell the managers (supervisors)."""
    order.repeat_of_id = earlier.id
    order.repeat_of = earlier
    session.flush()
    record(session, order, "repeat", now=now, actor=actor,
           payload={"rule": "R13", "repeat_of": earlier.number})
    record(session, earlier, "repeated_by", now=now, actor=actor,
           payload={"rule": "R13", "order": order.number})
    rows = start_clocks(session, order, "repeat", now, actor, ctx=ctx,
                        fallback=("escalate_repeat", ESCALATION, "R13"))
    due = min(r.due_at for r in rows if r.kind == "escalate_repeat")
    notify_order(session, order, dedupe_key=f"wo-repeat-{order.number}", kind="work_order",
                 title=_("%(number)s: repeated complaint (重复投诉) of %(earlier)s; review it by "
                         "%(due)s (R13)", number=order.number, earlier=earlier.number,
                         due=due.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")),
                 link=f"/workorders/{order.number}", now=now, role="supervisor",
                 severity="danger")


def review_repeat(session: Session, order: WorkOrder, user: User, params: dict,
                  now: datetime, ctx: SlaContext) -> None:
    """The manager has reviewed the repeated complaint (R13): the escalation clock is met."""
    order.repeat_reviewed_at = now
    clock_op(session, order, "met", now, user, kinds=["escalate_repeat"])
