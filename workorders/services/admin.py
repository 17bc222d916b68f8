"""Admin edits of categories and routing rules (R7–R11 are data, not code)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.directory.models import DEPARTMENT_KINDS
from hotline.errors import NotFound, ValidationFailed
from workorders.i18n import gettext as _
from workorders.models import PRIORITIES, Category, RoutingRule


def categories(session: Session, *, active_only: bool = False) -> list[Category]:
    stmt = select(Category).order_by(Category.position, Category.code)
    if active_only:
        stmt = stmt.where(Category.active.is_(True))
    return list(session.scalars(stmt))


def update_category(session: Session, code: str, *, name_zh: str, name_en: str,
                    department_kind: str | None, priority: str, position: int,
                    active: bool) -> Category:
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFound(_("No category %(code)s.", code=code))
    if department_kind and department_kind not in DEPARTMENT_KINDS:
        raise ValidationFailed(_("Unknown department kind."), fields={"department_kind": "unknown"})
    if priority not in PRIORITIES:
        raise ValidationFailed(_("Unknown priority."), fields={"priority": "unknown"})
    category.name_zh, category.name_en = name_zh.strip(), name_en.strip()
    category.department_kind = department_kind or None
    category.priority, category.position, category.active = priority, position, active
    return category


def rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(
        RoutingRule.category_code, RoutingRule.area_id.is_(None), RoutingRule.position,
        RoutingRule.id)))


def save_rule(session: Session, rule_id: int | None, *, category_code: str,
              area_id: int | None, department_kind: str, department_id: int | None,
              position: int, rule_ref: str, active: bool) -> RoutingRule:
    if session.scalar(select(Category.id).where(Category.code == category_code)) is None:
        raise ValidationFailed(_("Unknown category."), fields={"category_code": "unknown"})
    if department_kind not in DEPARTMENT_KINDS:
        raise ValidationFailed(_("Unknown department kind."), fields={"department_kind": "unknown"})
    if rule_id is None:
        rule = RoutingRule()
        session.add(rule)
    else:
        rule = session.get(RoutingRule, rule_id)
        if rule is None:
            raise NotFound(_("No routing rule %(id)s.", id=rule_id))
    rule.category_code, rule.area_id = category_code, area_id
    rule.department_kind, rule.department_id = department_kind, department_id
    rule.position, rule.rule_ref, rule.active = position, rule_ref.strip(), active
    if department_id is not None:
        from hotline.directory.models import Department

        dept = session.get(Department, department_id)
        if dept is None:
            raise ValidationFailed(_("Unknown department."), fields={"department": "unknown"})
        if dept.kind != department_kind:
            raise ValidationFailed(_("The fixed department must be of the rule's kind."),
                                   fields={"department": "wrong kind"})
    session.flush()
    return rule
