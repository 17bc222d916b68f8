"""What a viewer may see of an order: the complainant's name, phone, account and own address
are hidden from department staff on a confidential order, who see the work location (R27);
a theft report's reward only reaches enforcement and supervisors (R11). Here, once, for API,
console and exports alike."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.directory.models import CustomerAccount
from sla import clocks
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.rules.states import THEFT_CATEGORY, Actor, available_actions
from workorders.services.common import (CUSTOMER_CLOCKS, actor_of, facts_of, next_customer_due,
                                        running_stage,
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
        "street": order.street if show else HIDDEN,
        "house_number": order.house_number if show else HIDDEN,
        "landmark": order.landmark if show else HIDDEN,
        "work_street": order.work_street, "work_house_number": order.work_house_number,
        "work_landmark": order.work_landmark,
        "missing_details": [m for m in order.missing_details.split(",") if m],
        "description": order.description,
        "department": dept.code if dept else None,
        "department_name_zh": dept.name_zh if dept else None,
        "department_name_en": dept.name_en if dept else None,
        "routed_by": order.routed_by,
        "owner": order.owner.username if order.owner else None,
        "assignee": order.assignee.username if order.assignee else None,
        "master": order.master.number if order.master else None,
        "subject_user": order.subject_user.username if order.subject_user else None,
        "subject_department": order.subject_department.code
        if order.subject_department else None,
        "overseer": order.overseer.code if order.overseer else None,
        "repeat_of": order.repeat_of.number if order.repeat_of else None,
        "repeat_reviewed_at": order.repeat_reviewed_at,
        "reward": reward_view(order) if sees_reward(viewer, order) else None,
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
        "small_repair": bool(order.small_repair), "special": bool(order.special),
        "stage": running_stage(session, order),
        "visit": {"start": order.visit_start, "end": order.visit_end}
        if order.visit_start else None,
        "return_review": order.return_review or None,
        "actions": available_actions(actor or actor_of(session, viewer), facts_of(order))
        if viewer else [],
    }


def sees_reward(user: User | None, order: WorkOrder) -> bool:
    """R11: the reward decision is for enforcement and supervisors only."""
    if user is None or order.category_code != THEFT_CATEGORY or order.reward is None:
        return False
    if user.role in roles.SUPERVISION:
        return True
    return (user.role == roles.STAFF and user.department is not None
            and user.department.kind == "enforcement")


def reward_view(order: WorkOrder) -> dict:
    reward = order.reward
    return {"confirmed_at": reward.confirmed_at.isoformat(),
            "confirmed_by": reward.confirmed_by.username if reward.confirmed_by else None,
            "finding": reward.finding,
            "amount": str(reward.amount) if reward.amount is not None else None,
            "approver": reward.approver.username if reward.approver else None,
            "decided_at": reward.decided_at.isoformat() if reward.decided_at else None,
            "note": reward.note}


def household_view(account) -> dict:
    """A household the agent may link an order to (R30)."""
    return {"account_number": account.account_number, "name": account.name,
            "address": account.address, "area": account.area.code if account.area else None}


def event_view(event: WorkOrderEvent) -> dict:
    # Payloads never carry the complainant's data (see `record`), so they are safe to show.
    return {"id": event.id, "at": event.at, "action": event.action,
            "actor": event.actor.username if event.actor else None,
            "from_status": event.from_status, "to_status": event.to_status,
            "note": event.note, "payload": event.payload}
