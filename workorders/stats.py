"""Work-order figures for KPIs over [start, end): plain queries the SLA engine's KPI port
(`OrderStats` → `OrderFigures`) can call. Rates are fractions in [0, 1], or None when there
is nothing to divide by. Resolutions and reopenings are counted from the append-only events,
so an order resolved, reopened and resolved again counts twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from hotline.auth.models import User
from sla.models import Deadline
from sla.ports import (BacklogPoint, CategoryCount, DepartmentCounts, OrderFigures,
                       OrderReportFigures)
from workorders.models import Category, FollowUp, WorkOrder, WorkOrderEvent


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


# --- the monthly report, the department assessment and the charts (sla.ports) -------------

ENQUIRY_CATEGORIES = ("general_enquiry", "enquiry")  # P1: what agents may answer directly
COMPLAINT_CATEGORY = "complaint"
# Clocks due longer ago than this before a trend starts are counted only while still running.
BACKLOG_LOOKBACK = timedelta(days=31)


def department_counts(session: Session, start: datetime, end: datetime
                      ) -> dict[int | None, DepartmentCounts]:
    """P2 per department over [start, end), in six grouped queries. Definitions match
    `follow_up_rate`, `satisfaction_rate` and `reopen_rate`, so their totals agree."""
    found: dict[int | None, DepartmentCounts] = {}

    def of(department_id: int | None) -> DepartmentCounts:
        return found.setdefault(department_id, DepartmentCounts(department_id))

    for department_id, count in session.execute(
            select(WorkOrder.department_id, func.count())
            .where(WorkOrder.opened_at >= start, WorkOrder.opened_at < end)
            .group_by(WorkOrder.department_id)):
        of(department_id).opened = count
    dispatched_to = WorkOrderEvent.payload["department_id"].as_integer()
    for department_id, count in session.execute(
            select(dispatched_to, func.count())
            .where(WorkOrderEvent.action == "dispatch", WorkOrderEvent.at >= start,
                   WorkOrderEvent.at < end)
            .group_by(dispatched_to)):
        of(department_id).received = count
    staff = aliased(User)
    for action, to_status, order_department, staff_department, count in session.execute(
            select(WorkOrderEvent.action, WorkOrderEvent.to_status, WorkOrder.department_id,
                   staff.department_id, func.count())
            .join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
            .outerjoin(staff, and_(staff.id == WorkOrderEvent.actor_id, staff.role == "staff"))
            .where(WorkOrderEvent.action.in_(("resolve", "return", "approve_extension",
                                              "follow_up")),
                   WorkOrderEvent.at >= start, WorkOrderEvent.at < end)
            .group_by(WorkOrderEvent.action, WorkOrderEvent.to_status, WorkOrder.department_id,
                      staff.department_id)):
        if action == "resolve":
            of(order_department).resolutions += count
        elif action == "return":  # P3: the department whose staff returned it
            of(staff_department if staff_department is not None
               else order_department).returns += count
        elif action == "approve_extension":  # R15
            of(order_department).extensions += count
        elif to_status == "reopened":  # R12
            of(order_department).reopened += count
    resolved = select(WorkOrderEvent.order_id).where(
        WorkOrderEvent.action == "resolve", WorkOrderEvent.at >= start,
        WorkOrderEvent.at < end).distinct()
    for department_id, count in session.execute(
            select(WorkOrder.department_id, func.count()).where(WorkOrder.id.in_(resolved))
            .group_by(WorkOrder.department_id)):
        of(department_id).resolved_orders = count
    for department_id, count in session.execute(
            select(WorkOrder.department_id, func.count(func.distinct(FollowUp.order_id)))
            .join(WorkOrder, WorkOrder.id == FollowUp.order_id)
            .where(FollowUp.order_id.in_(resolved), FollowUp.at >= start)
            .group_by(WorkOrder.department_id)):
        of(department_id).followed_up = count
    for department_id, outcome, count in session.execute(
            select(WorkOrder.department_id, FollowUp.outcome, func.count())
            .join(WorkOrder, WorkOrder.id == FollowUp.order_id)
            .where(FollowUp.at >= start, FollowUp.at < end, FollowUp.outcome != "unreachable")
            .group_by(WorkOrder.department_id, FollowUp.outcome)):
        of(department_id).follow_up_answers += count
        if outcome == "satisfied":
            of(department_id).satisfied += count
    return found


def order_report(session: Session, start: datetime, end: datetime) -> OrderReportFigures:
    """The SLA engine's `OrderReport` port: per-department counts, orders by category and
    area, direct answers (P1) and complaint handling time (R18) of [start, end)."""
    by_category_area = [
        CategoryCount(area_id, category, count) for category, area_id, count in session.execute(
            select(WorkOrder.category_code, WorkOrder.area_id, func.count())
            .where(WorkOrder.opened_at >= start, WorkOrder.opened_at < end)
            .group_by(WorkOrder.category_code, WorkOrder.area_id))]
    on_call = dict(session.execute(
        select(WorkOrder.category_code, func.count(func.distinct(WorkOrder.id)))
        .join(WorkOrderEvent, and_(WorkOrderEvent.order_id == WorkOrder.id,
                                   WorkOrderEvent.action == "close_on_call"))
        .where(WorkOrder.opened_at >= start, WorkOrder.opened_at < end)
        .group_by(WorkOrder.category_code)).all())
    cited = dict(session.execute(  # P1: closed on the call from a knowledge-base article
        select(WorkOrder.category_code, func.count())
        .where(WorkOrder.opened_at >= start, WorkOrder.opened_at < end,
               WorkOrder.article_revision_id.is_not(None))
        .group_by(WorkOrder.category_code)).all())
    hours = [(resolved_at - opened_at).total_seconds() / 3600
             for resolved_at, opened_at in session.execute(
                 select(WorkOrderEvent.at, WorkOrder.opened_at)
                 .join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
                 .where(WorkOrderEvent.action == "resolve", WorkOrderEvent.at >= start,
                        WorkOrderEvent.at < end,
                        WorkOrder.category_code == COMPLAINT_CATEGORY))]
    names = {code: (zh, en) for code, zh, en in session.execute(
        select(Category.code, Category.name_zh, Category.name_en))}
    return OrderReportFigures(
        departments=department_counts(session, start, end),
        by_category_area=sorted(by_category_area, key=lambda c: (-c.count, c.category)),
        category_names=names,
        enquiries=sum(c.count for c in by_category_area if c.category in ENQUIRY_CATEGORIES),
        enquiries_answered_on_call=sum(on_call.get(c, 0) for c in ENQUIRY_CATEGORIES),
        closed_on_call=sum(on_call.values()),
        cited_on_call=sum(cited.values()),
        cited_outside_enquiries=sum(n for c, n in cited.items() if c not in ENQUIRY_CATEGORIES),
        complaints_resolved=len(hours),
        complaint_hours=sum(hours) / len(hours) if hours else None,
        repeated_complaints=repeat_complaints(session, start, end))  # R13


def _counts_per_period(session: Session, column, periods) -> list[int]:
    """How many orders have `column` in each period: one pass, one CASE per period."""
    sums = [func.coalesce(func.sum(case((and_(column >= s, column < e), 1), else_=0)), 0)
            for s, e in periods]
    row = session.execute(select(*sums).where(column >= periods[0][0],
                                              column < periods[-1][1])).one()
    return [int(v) for v in row]


def order_backlog(session: Session, periods: list[tuple[datetime, datetime]]
                  ) -> list[BacklogPoint]:
    """The SLA engine's `OrderBacklog` port: for consecutive periods, orders opened and
    finished (closed, merged, cancelled) in each, and at each period's end the orders still
    open and those of them with a clock past due and not met (R14–R23). A clock cancelled
    when its order finished counts until then; one cancelled by a return or a re-dispatch,
    or paused now (R22), does not count."""
    if not periods:
        return []
    first, last = periods[0][0], periods[-1][1]
    opened = _counts_per_period(session, WorkOrder.opened_at, periods)
    finished = _counts_per_period(session, WorkOrder.closed_at, periods)
    open_before = (session.scalar(select(func.count()).where(WorkOrder.opened_at < first))
                   or 0) - (session.scalar(select(func.count()).where(
                       WorkOrder.closed_at < first)) or 0)
    late = (Deadline.subject_type == "work_order", Deadline.state != "paused",
            or_(Deadline.met_at.is_(None), Deadline.met_at > Deadline.due_at),
            or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at > first))
    columns = (Deadline.subject_id, Deadline.due_at, Deadline.met_at, Deadline.state,
               WorkOrder.closed_at)
    joined = select(*columns).join(WorkOrder, WorkOrder.id == Deadline.subject_id)
    rows = list(session.execute(joined.where(
        *late, Deadline.due_at >= first - BACKLOG_LOOKBACK, Deadline.due_at < last)))
    rows += session.execute(joined.where(*late, Deadline.state == "running",
                                         Deadline.due_at < first - BACKLOG_LOOKBACK))
    points, backlog = [], open_before
    for (start, end), n_opened, n_finished in zip(periods, opened, finished):
        backlog += n_opened - n_finished
        overdue = {r.subject_id for r in rows
                   if r.due_at < end and (r.met_at is None or r.met_at > end)
                   and (r.closed_at is None or r.closed_at > end)
                   and (r.state != "cancelled" or r.closed_at is not None)}
        points.append(BacklogPoint(start, end, n_opened, n_finished, backlog, len(overdue)))
    return points
