"""Loads routing rules and departments and asks the pure router (R7–R11)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.directory.models import Department
from workorders.models import Category, RoutingRule
from workorders.rules import routing


def route_for(session: Session, category: Category, area_id: int | None
              ) -> routing.Route | None:
    rules = [routing.Rule(id=r.id, category=r.category_code, department_kind=r.department_kind,
                          area_id=r.area_id, department_id=r.department_id,
                          position=r.position, active=r.active)
             for r in session.scalars(select(RoutingRule).where(
                 RoutingRule.category_code == category.code))]
    departments = [routing.Dept(id=d.id, kind=d.kind, area_id=d.area_id)
                   for d in session.scalars(select(Department))]
    return routing.route(category.code, area_id, rules, departments,
                         default_kind=category.department_kind)


def describe_route(session: Session, found: routing.Route | None) -> str:
    if found is None:
        return ""
    rule = session.get(RoutingRule, found.rule_id) if found.rule_id else None
    ref = (rule.rule_ref or f"rule {rule.id}") if rule else "category default"
    return f"{ref} ({found.how})"
