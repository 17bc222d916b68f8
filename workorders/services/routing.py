"""Loads routing rules and departments and asks the pure router (R7–R11)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.models import Department
from workorders.models import Category, RoutingRule, WorkOrder
from workorders.rules import routing
from workorders.rules.catalog import COMPLAINT_CATEGORIES


def _departments(session: Session) -> list[routing.Dept]:
    return [routing.Dept(id=d.id, kind=d.kind, area_id=d.area_id)
            for d in session.scalars(select(Department))]


def route_for(session: Session, category: Category, area_id: int | None
              ) -> routing.Route | None:
    rules = [routing.Rule(id=r.id, category=r.category_code, department_kind=r.department_kind,
                          area_id=r.area_id, department_id=r.department_id,
                          position=r.position, active=r.active)
             for r in session.scalars(select(RoutingRule).where(
                 RoutingRule.category_code == category.code))]
    return routing.route(category.code, area_id, rules, _departments(session),
                         default_kind=category.department_kind)


def complaint_unit(session: Session, order: WorkOrder) -> int | None:
    """R10: the unit a complaint is about: the one named, else the named staff member's."""
    if order.category_code not in COMPLAINT_CATEGORIES:
        return None
    if order.subject_department_id is not None:
        return order.subject_department_id
    if order.subject_user_id is not None:
        user = session.get(User, order.subject_user_id)
        return user.department_id if user is not None else None
    return None


def route_order(session: Session, order: WorkOrder) -> routing.Route | None:
    """R10 first (a complaint goes to the unit it is about), then the rules (R7–R11)."""
    found = routing.responsible_unit(complaint_unit(session, order), _departments(session))
    return found or route_for(session, order.category, order.area_id)


def overseer_of(session: Session, order: WorkOrder, department_id: int) -> int | None:
    """R10: the customer-service centre overseeing a complaint about a unit or its staff."""
    if complaint_unit(session, order) is None:
        return None
    return routing.overseer_for(department_id, order.area_id, _departments(session))


def describe_route(session: Session, found: routing.Route | None) -> str:
    if found is None:
        return ""
    if found.how == "responsible_unit":
        return "R10 (responsible unit)"
    rule = session.get(RoutingRule, found.rule_id) if found.rule_id else None
    ref = (rule.rule_ref or f"rule {rule.id}") if rule else "category default"
    return f"{ref} ({found.how})"
