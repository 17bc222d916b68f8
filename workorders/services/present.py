"""What a viewer may see of an order: the complainant's name, phone and account are hidden
from department staff on a confidential order (R27), here, once, for API, console and
exports alike."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hotline.auth.models import User
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.rules.states import Actor, available_actions
from workorders.services.common import (actor_of, facts_of, next_customer_due, running_stage,
                                        sees_complainant)

HIDDEN = "***"


def order_view(session: Session, order: WorkOrder, viewer: User | None,
               actor: Actor | None = None) -> dict:
    """`actor` (from `actor_of`) may be passed in once for a whole list."""
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
        "next_due_at": next_customer_due(session, order),
        "small_repair": bool(order.small_repair), "special": bool(order.special),
        "stage": running_stage(session, order),
        "visit": {"start": order.visit_start, "end": order.visit_end}
        if order.visit_start else None,
        "return_review": order.return_review or None,
        "actions": available_actions(actor or actor_of(session, viewer), facts_of(order))
        if viewer else [],
    }


def event_view(event: WorkOrderEvent) -> dict:
    # Payloads never carry the complainant's data (see `record`), so they are safe to show.
    return {"id": event.id, "at": event.at, "action": event.action,
            "actor": event.actor.username if event.actor else None,
            "from_status": event.from_status, "to_status": event.to_status,
            "note": event.note, "payload": event.payload}
