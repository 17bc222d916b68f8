"""Work-order figures for KPIs over [start, end): plain queries the SLA engine's KPI port
(`OrderStats` → `OrderFigures`) can call. Rates are fractions in [0, 1], or None when there
is nothing to divide by. Resolutions and reopenings are counted from the append-only events,
so an order resolved, reopened and resolved again counts twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sla.ports import CategoryCount, OrderFigures
from workorders.models import FollowUp, WorkOrder, WorkOrderEvent


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _events(action: str, start: datetime, end: datetime):
    return select(WorkOrderEvent).where(WorkOrderEvent.action == action,
                                        WorkOrderEvent.at >= start, WorkOrderEvent.at < end)


def resolutions(session: Session, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count()).select_from(
        _events("resolve", start, end).subquery())) or 0


def follow_up_rate(session: Session, start: datetime, end: datetime) -> float | None:
    """R23: orders resolved in the range that got a follow-up call (answered or not) /
    orders resolved in the range."""
    resolved = select(WorkOrderEvent.order_id).where(
        WorkOrderEvent.action == "resolve", WorkOrderEvent.at >= start,
        WorkOrderEvent.at < end).distinct()
    total = session.scalar(select(func.count()).select_from(resolved.subquery())) or 0
    called = session.scalar(select(func.count(func.distinct(FollowUp.order_id))).where(
        FollowUp.order_id.in_(resolved), FollowUp.at >= start)) or 0
    return _rate(called, total)


def satisfaction_rate(session: Session, start: datetime, end: datetime) -> float | None:
    """满意度: satisfied / answered follow-up calls recorded in the range."""
    rows = dict(session.execute(select(FollowUp.outcome, func.count()).where(
        FollowUp.at >= start, FollowUp.at < end, FollowUp.outcome != "unreachable")
        .group_by(FollowUp.outcome)).all())
    return _rate(rows.get("satisfied", 0), sum(rows.values()))


def reopen_rate(session: Session, start: datetime, end: datetime) -> float | None:
    """R12: reopenings (unsatisfied follow-ups) / resolutions in the range."""
    reopened = session.scalar(select(func.count()).select_from(
        _events("follow_up", start, end).where(WorkOrderEvent.to_status == "reopened")
        .subquery())) or 0
    return _rate(reopened, resolutions(session, start, end))


def repeat_complaints(session: Session, start: datetime, end: datetime) -> int:
    """R13: orders opened in the range that repeat an earlier complaint (重复投诉)."""
    return session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.opened_at >= start, WorkOrder.opened_at < end,
        WorkOrder.repeat_of_id.is_not(None))) or 0


def top_categories_by_area(session: Session, start: datetime, end: datetime, *,
                           limit: int = 5) -> dict[int | None, list[CategoryCount]]:
    """The most frequent categories of each area among orders opened in the range."""
    rows = session.execute(select(WorkOrder.area_id, WorkOrder.category_code, func.count())
                           .where(WorkOrder.opened_at >= start, WorkOrder.opened_at < end)
                           .group_by(WorkOrder.area_id, WorkOrder.category_code))
    by_area: dict[int | None, list[CategoryCount]] = {}
    for area_id, category, count in rows:
        by_area.setdefault(area_id, []).append(CategoryCount(area_id, category, count))
    return {area: sorted(items, key=lambda c: (-c.count, c.category))[:limit]
            for area, items in by_area.items()}


def order_figures(session: Session, start: datetime, end: datetime) -> OrderFigures:
    """The SLA engine's `OrderStats` port (top categories flattened, largest first)."""
    top = [c for items in top_categories_by_area(session, start, end).values() for c in items]
    return OrderFigures(follow_up_rate=follow_up_rate(session, start, end),
                        satisfaction_rate=satisfaction_rate(session, start, end),
                        reopen_rate=reopen_rate(session, start, end),
                        top_categories=sorted(top, key=lambda c: (-c.count, c.category)),
                        repeat_complaints=repeat_complaints(session, start, end))
