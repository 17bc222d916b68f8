"""Handing an order to a department (R7–R11, R14) and merging a report into the order it
repeats. Opening an order (`create`) and changing one (`actions`) both end here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.models import Department
from hotline.errors import ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.services.common import (clock_op, notify_order, order_by_number, record,
                                        start_clocks)
from workorders.services.routing import describe_route, overseer_of, route_order


def dispatch_to(session: Session, order: WorkOrder, department: Department, *,
                actor: User | None, now: datetime, from_status: str, ctx: SlaContext,
                assignee: User | None = None) -> None:
    """Hand the order to `department` and start its accept clock (R14). A complaint about
    a unit or its staff is overseen by the customer-service centre (R10)."""
    order.department_id = department.id
    order.department = department
    order.overseer_department_id = overseer_of(session, order, department.id)
    order.status = "dispatched"
    order.dispatched_at = now
    order.accepted_at = None
    order.assignee_id = assignee.id if assignee else None
    session.flush()
    record(session, order, "dispatch", now=now, actor=actor, from_status=from_status,
           to_status="dispatched",
           payload={"department_id": department.id, "department": department.code,
                    "routed_by": order.routed_by,
                    "assignee_id": assignee.id if assignee else None,
                    "overseer_department_id": order.overseer_department_id})
    start_clocks(session, order, "dispatch", now, actor, ctx=ctx)
    notify_order(session, order,
                 dedupe_key=f"wo-dispatch-{order.number}-{order.version}-{now.isoformat()}",
                 kind="work_order", title=_("%(number)s: new order for your department",
                                            number=order.number),
                 link=f"/workorders/{order.number}", now=now, department_id=department.id)
    if order.overseer_department_id is not None:
        notify_order(session, order,
                     dedupe_key=f"wo-oversee-{order.number}-{order.version}-{now.isoformat()}",
                     kind="work_order",
                     title=_("%(number)s: complaint about another unit, for your oversight "
                             "(R10)", number=order.number),
                     link=f"/workorders/{order.number}", now=now,
                     department_id=order.overseer_department_id)


def dispatch_by_route(session: Session, order: WorkOrder, *, actor: User | None,
                      now: datetime, from_status: str, ctx: SlaContext) -> bool:
    """Dispatch to the department the routing rules give for the order's category and area
    (R7–R11), or to the unit a complaint is about (R10). Returns False, changing nothing,
    when no department is found."""
    found = route_order(session, order)
    if found is None:
        return False
    order.routing_rule_id = found.rule_id
    order.routed_by = describe_route(session, found)
    dispatch_to(session, order, session.get(Department, found.department_id), actor=actor,
                now=now, from_status=from_status, ctx=ctx)
    return True


def merge_into(session: Session, order: WorkOrder, master_number: str, *, actor: User | None,
               now: datetime) -> WorkOrder:
    """A second report of a known problem joins the open order it repeats; the caller hears
    the master's result (R10, R23)."""
    master = order_by_number(session, master_number)
    if master is None:
        raise ValidationFailed(_("No work order %(number)s.", number=master_number),
                               fields={"master_number": "unknown"})
    if master.id == order.id:
        raise ValidationFailed(_("An order cannot be merged into itself."),
                               fields={"master_number": "same order"})
    if master.status in ("closed", "cancelled", "merged"):
        raise ValidationFailed(_("%(number)s is no longer open; merge into an open order.",
                                 number=master.number),
                               fields={"master_number": "not open"})
    before = order.status
    order.status = "merged"
    order.master_id = master.id
    order.closed_at = now
    session.flush()
    clock_op(session, order, "cancelled", now, actor)
    record(session, order, "merge", now=now, actor=actor, from_status=before,
           to_status="merged", payload={"master": master.number})
    record(session, master, "merged_in", now=now, actor=actor,
           payload={"order": order.number})
    return master
