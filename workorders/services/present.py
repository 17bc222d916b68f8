"""What a viewer may see of an order: the complainant's name, phone and account are hidden
from department staff on a confidential order (R27), here, once, for API, console and
exports alike."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.models import CustomerAccount
from sla import clocks
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.rules.states import Actor, available_actions
from workorders.services.common import (CUSTOMER_CLOCKS, actor_of, facts_of, next_customer_due,
                                        sees_complainant)

HIDDEN = "***"
_LOOK_UP = object()


def order_views(session: Session, orders: list[WorkOrder], viewer: User | None,
                actor: Actor | None = None) -> list[dict]:
    """`order_view` for a page of orders in a handful of queries rather than a few per
    order: their accounts, people and masters are loaded together (the lazy loads then find
    them in the session) and their callers' next due times in one query."""
    if not orders:
        return []
    actor = actor or (actor_of(session, viewer) if viewer else None)
    account_ids = {o.account_id for o in orders if o.account_id}
    if account_ids:
        session.scalars(select(CustomerAccount).where(CustomerAccount.id.in_(account_ids))).all()
    user_ids = {u for o in orders for u in (o.owner_id, o.assignee_id) if u}
    if user_ids:
        session.scalars(select(User).where(User.id.in_(user_ids))).all()
    master_ids = {o.master_id for o in orders if o.master_id}
    if master_ids:
        session.scalars(select(WorkOrder).where(WorkOrder.id.in_(master_ids))).all()
    due = clocks.earliest_running(session, "work_order", [o.id for o in orders],
                                  CUSTOMER_CLOCKS)
    return [order_view(session, o, viewer, actor, due=due.get(o.id)) for o in orders]


def order_view(session: Session, order: WorkOrder, viewer: User | None,
               actor: Actor | None = None, *, due=_LOOK_UP) -> dict:
    """`actor` (from `actor_of`) may be passed in once for a whole list, and `due` (the
    caller's next due time) by `order_views`."""
    show = sees_complainant(viewer, order)
    dept = order.department
    return {
        "number": order.number, "version": order.version, "status": order.status,
        "channel": order.channel, "category": order.category_code,
        "priority": order.priority, "confidential": order.confidential,
        "contact_name": order.contact_name if show else HIDDEN,
        "contact_phone": order.contact_phone if show else HIDDEN,
        "account_number": (order.account.account_number if order.account else None)
        if show else HIDDEN,
        "area": order.area.code if order.area else None,
        "street": order.street, "house_number": order.house_number,
        "landmark": order.landmark,
        "missing_details": [m for m in order.missing_details.split(",") if m],
        "description": order.description,
        "department": dept.code if dept else None,
        "department_name_zh": dept.name_zh if dept else None,
        "department_name_en": dept.name_en if dept else None,
        "routed_by": order.routed_by,
        "owner": order.owner.username if order.owner else None,
        "assignee": order.assignee.username if order.assignee else None,
        "master": order.master.number if order.master else None,
        "result": order.result, "return_reason": order.return_reason,
        "reopen_count": order.reopen_count, "follow_up_attempts": order.follow_up_attempts,
        "satisfaction": order.satisfaction,
        "extension_requested": {"kind": order.extension_kind, "new_due": order.extension_due,
                                "reason": order.extension_reason}
        if order.extension_due else None,
        "opened_at": order.opened_at, "dispatched_at": order.dispatched_at,
        "accepted_at": order.accepted_at, "resolved_at": order.resolved_at,
        "closed_at": order.closed_at, "updated_at": order.updated_at,
        "next_due_at": next_customer_due(session, order) if due is _LOOK_UP else due,
        "actions": available_actions(actor or actor_of(session, viewer), facts_of(order))
        if viewer else [],
    }


def event_view(event: WorkOrderEvent) -> dict:
    # Payloads never carry the complainant's data (see `record`), so they are safe to show.
    return {"id": event.id, "at": event.at, "action": event.action,
            "actor": event.actor.username if event.actor else None,
            "from_status": event.from_status, "to_status": event.to_status,
            "note": event.note, "payload": event.payload}
