"""KPIs for the supervisor dashboard and the monthly report. On-time rates come from the
deadline rows; call figures from the service-level rollups; work-order figures from the
`OrderStats` port (None when the work-order package registered nothing: never faked)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from sla import service_level
from sla.models import Deadline
from sla.notices import describe
from sla.ports import OrderFigures, SlaPorts

ON_TIME_TARGET = 0.99  # R18


@dataclass
class OnTime:
    department_id: int | None
    kind: str
    decided: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def meets_target(self) -> bool:
        return self.rate is None or self.rate >= ON_TIME_TARGET


def _decided(start: datetime, end: datetime) -> tuple:
    """Clocks whose (original) deadline fell in [start, end) and are decided: met or
    breached."""
    return (Deadline.due_at >= start, Deadline.due_at < end, Deadline.subject_type != "cluster",
            # R13: a repeated complaint's escalation is the manager's clock, not the unit's.
            Deadline.kind != "escalate_repeat",
            or_(Deadline.state == "met",
                and_(Deadline.breached_at.is_not(None), Deadline.state != "cancelled")))


# On time: met by the current due time (R15 extensions count), never breached.
_ON_TIME = and_(Deadline.breached_at.is_(None), Deadline.met_at.is_not(None),
                Deadline.met_at <= Deadline.due_at)


def on_time_rates(session: Session, ports: SlaPorts, start: datetime, end: datetime
                  ) -> list[OnTime]:
    """Clocks whose (original) deadline fell in [start, end) and are decided: met (on time
    when met by the current due time, R15 extensions count) or breached. Subject types with
    a `SubjectTable` are counted by department in SQL; the others row by row."""
    found: dict[tuple[int | None, str], OnTime] = {}

    def add(department_id: int | None, kind: str, decided: int, on_time: int) -> None:
        item = found.setdefault((department_id, kind), OnTime(department_id, kind))
        item.decided += decided
        item.on_time += on_time

    tables = ports.subject_tables
    for subject_type, table in tables.items():
        counted = session.execute(
            select(table.department_id, Deadline.kind, func.count(),
                   func.sum(case((_ON_TIME, 1), else_=0)))
            .select_from(Deadline)
            .outerjoin(table.entity, table.id == Deadline.subject_id)
            .where(*_decided(start, end), Deadline.subject_type == subject_type)
            .group_by(table.department_id, Deadline.kind))
        for department_id, kind, decided, on_time in counted:
            add(department_id, kind, decided, int(on_time or 0))
    rows = session.execute(
        select(Deadline.subject_type, Deadline.subject_id, Deadline.kind, Deadline.state,
               Deadline.met_at, Deadline.due_at, Deadline.breached_at)
        .where(*_decided(start, end), Deadline.subject_type.not_in(list(tables)))
    ).all()
    infos = describe(session, ports, ((r.subject_type, r.subject_id) for r in rows))
    for r in rows:
        on_time = r.breached_at is None and r.met_at is not None and r.met_at <= r.due_at
        add(infos[(r.subject_type, r.subject_id)].department_id, r.kind, 1, int(on_time))
    return sorted(found.values(), key=lambda o: (o.department_id or 0, o.kind))


def overall(rates: list[OnTime]) -> OnTime:
    total = OnTime(None, "*")
    for r in rates:
        total.decided += r.decided
        total.on_time += r.on_time
    return total


@dataclass
class Report:
    start: datetime
    end: datetime
    on_time: list[OnTime]
    on_time_total: OnTime
    calls: service_level.Summary
    orders: OrderFigures | None
    by_department: dict[int | None, list[OnTime]] = field(default_factory=dict)


def report(session: Session, ports: SlaPorts, start: datetime, end: datetime) -> Report:
    rates = on_time_rates(session, ports, start, end)
    by_department: dict[int | None, list[OnTime]] = defaultdict(list)
    for r in rates:
        by_department[r.department_id].append(r)
    orders = ports.order_stats(session, start, end) if ports.order_stats else None
    return Report(start, end, rates, overall(rates),
                  service_level.summary(session, start, end), orders, dict(by_department))


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (datetime.combine(first, time(0), tzinfo=zone),
            datetime.combine(following, time(0), tzinfo=zone))


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
