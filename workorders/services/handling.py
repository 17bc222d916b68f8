"""Action handlers for the department's work: dispatch (R7–R11), accept (R14), return (P3),
start and arrive (R16, R17), waiting for the customer (R22), the hotline's chase (R20) and
notes. Each takes (session, order, user, params, now, ctx); `actions.perform` has checked
the state machine and the version first and records the simple events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.directory.models import Department
from hotline.errors import Forbidden, ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.services.common import clock_op, note_of, notify_order, resume_clocks
from workorders.services.dispatch import dispatch_to
from workorders.services.routing import describe_route, route_order


def dispatch(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
             ctx: SlaContext) -> None:
    department = None
    if params.get("department_id") is not None:
        department = session.get(Department, params["department_id"])
        if department is None:
            raise ValidationFailed(_("No such department."), fields={"department_id": "unknown"})
        order.routed_by = "agent's choice"
        order.routing_rule_id = None
    else:
        found = route_order(session, order)
        if found is None and order.area_id is None:
            raise ValidationFailed(_("R4: the area is needed to route the order."),
                                   fields={"area_id": "required"})
        if found is None:
            raise ValidationFailed(_("No department found for this category and area; choose one."),
                                   fields={"department_id": "required"})
        department = session.get(Department, found.department_id)
        order.routing_rule_id = found.rule_id
        order.routed_by = describe_route(session, found)
    assignee = None
    if params.get("assignee_id") is not None:
        assignee = session.get(User, params["assignee_id"])
        if assignee is None or assignee.department_id != department.id:
            raise ValidationFailed(_("The assignee must belong to the department."),
                                   fields={"assignee_id": "not in the department"})
        if assignee.id == order.subject_user_id:
            raise Forbidden(_("R28: a user named in the complaint cannot be assigned to it."))
    if order.status in ("dispatched", "reopened"):
        clock_op(session, order, "cancelled", now, user, kinds=["accept"])
    dispatch_to(session, order, department, actor=user, now=now, from_status=order.status,
                ctx=ctx, assignee=assignee)


def accept(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
           ctx: SlaContext) -> None:
    # The version in the WHERE clause makes this a race-free claim: of two staff accepting
    # at once, the second UPDATE matches no row (StaleDataError → 409).
    order.status = "accepted"
    order.accepted_at = now
    order.assignee_id = user.id
    order.arrived_at = None  # a reopened order is visited again (R16, R17)
    session.flush()
    clock_op(session, order, "met", now, user, kinds=["accept"])


def return_order(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                 ctx: SlaContext) -> None:
    order.status = "returned"
    order.return_reason = params["reason"].strip()
    order.assignee_id = None
    clock_op(session, order, "cancelled", now, user, kinds=["accept"])
    notify_order(session, order, dedupe_key=f"wo-returned-{order.number}-{now.isoformat()}",
                 kind="work_order", title=_("%(number)s: returned by the department",
                                            number=order.number),
                 body=order.return_reason, link=f"/workorders/{order.number}", now=now,
                 role="supervisor", severity="warning")
    if order.owner_id:
        notify_order(session, order,
                     dedupe_key=f"wo-returned-owner-{order.number}-{now.isoformat()}",
                     kind="work_order", title=_("%(number)s: returned by the department",
                                                number=order.number),
                     body=order.return_reason, link=f"/workorders/{order.number}", now=now,
                     user_id=order.owner_id)


def start(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
          ctx: SlaContext) -> None:
    order.status = "in_progress"
    clock_op(session, order, "met", now, user, kinds=["respond"])


def arrive(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
           ctx: SlaContext) -> None:
    order.status = "in_progress"
    order.arrived_at = now
    clock_op(session, order, "met", now, user, kinds=["on_site", "respond"])


def request_info(session: Session, order: WorkOrder, user: User, params: dict,
                 now: datetime, ctx: SlaContext) -> None:
    order.status = "awaiting_customer"
    clock_op(session, order, "paused", now, user)


def material_received(session: Session, order: WorkOrder, user: User, params: dict,
                      now: datetime, ctx: SlaContext) -> None:
    order.status = "in_progress"
    resume_clocks(session, order, now, user, ctx=ctx)


def chase(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
          ctx: SlaContext) -> None:
    # R20: the owner chases the department (催办); a supervisor's chase is 督办.
    if order.department_id is None:
        raise ValidationFailed(_("The order has no department to chase yet."),
                               fields={"department_id": "none"})
    notify_order(session, order,
                 dedupe_key=f"wo-chase-{order.number}-{now.isoformat()}", kind="chase",
                 title=_("%(number)s: chased by the hotline", number=order.number),
                 body=note_of(params),
                 link=f"/workorders/{order.number}", now=now, department_id=order.department_id,
                 severity="warning")


def note(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
         ctx: SlaContext) -> None:
    if user.role == roles.STAFF:  # the department's first reply to the customer (R18, R19)
        clock_op(session, order, "met", now, user, kinds=["respond", "reply"])
