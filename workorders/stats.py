"""Work-order figures for KPIs over [start, end): plain queries the SLA engine's KPI port
(built elsewhere) can call. Rates are None when there is nothing to divide by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workorders.models import FollowUp, WorkOrder


@dataclass(frozen=True)
class CategoryCount:
    area_id: int | None
    category: str
    count: int


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def resolved_count(session: Session, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.resolved_at >= start, WorkOrder.resolved_at < end)) or 0


def follow_up_rate(session: Session, start: datetime, end: datetime) -> float | None:
    """R23: share of orders resolved in the range whose customer was reached on a follow-up
    call (satisfied or not)."""
    resolved = select(WorkOrder.id).where(
        WorkOrder.resolved_at >= start, WorkOrder.resolved_at < end)
    total = session.scalar(select(func.count()).select_from(resolved.subquery())) or 0
    reached = session.scalar(select(func.count(func.distinct(FollowUp.order_id))).where(
        FollowUp.order_id.in_(resolved), FollowUp.outcome != "unreachable")) or 0
    return _rate(reached, total)


def satisfaction_rate(session: Session, start: datetime, end: datetime) -> float | None:
    """满意度: satisfied follow-ups / reached follow-ups recorded in the range."""
    rows = dict(session.execute(select(FollowUp.outcome, func.count()).where(
        FollowUp.at >= start, FollowUp.at < end, FollowUp.outcome != "unreachable")
        .group_by(FollowUp.outcome)).all())
    reached = sum(rows.values())
    return _rate(rows.get("satisfied", 0), reached)


def reopen_rate(session: Session, start: datetime, end: datetime) -> float | None:
    """R12: share of orders opened in the range that were reopened at least once."""
    total = session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.opened_at >= start, WorkOrder.opened_at < end)) or 0
    reopened = session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.opened_at >= start, WorkOrder.opened_at < end,
        WorkOrder.reopen_count > 0)) or 0
    return _rate(reopened, total)


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
