"""The monthly regulator report (月度报表): calls from the service-level rollups (R1, R2),
on-time rates from the deadline rows (R14–R20), work-order figures from the `OrderReport`
port. One `MonthlyReport` feeds the page, the JSON (console and API) and the exports, so
they always agree."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.directory.models import Area, Department
from hotline.errors import ValidationFailed
from hotline.knowledge.services import updates_between
from sla import kpis, service_level
from sla.ports import DepartmentCounts, OrderReportFigures, SlaPorts

ACCEPT_KINDS = ("accept",)  # R14
ON_SITE_KINDS = ("on_site",)  # R16, R17
# On-time completion: the clock that ends the department's work — resolve (R18, R20) or,
# for an enquiry that needs investigation, the reply (R19).
COMPLETION_KINDS = ("resolve", "reply")


def parse_month(value: str | None, today: date) -> tuple[int, int]:
    """`YYYY-MM` (default: this month) → (year, month); a clear error otherwise."""
    if not value:
        return today.year, today.month
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except ValueError:
        raise ValidationFailed(_("The month must look like 2026-11."),
                               fields={"month": "YYYY-MM"}) from None
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("The month must look like 2026-11."),
                               fields={"month": "YYYY-MM"})
    return year, month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def combined(rates: list[kpis.OnTime], kinds: tuple[str, ...],
             department_id: int | None | object = ...) -> kpis.OnTime:
    """The on-time figures of these clock kinds (of one department, or of all)."""
    total = kpis.OnTime(None if department_id is ... else department_id, "+".join(kinds))
    for r in rates:
        if r.kind in kinds and (department_id is ... or r.department_id == department_id):
            total.decided += r.decided
            total.on_time += r.on_time
    return total


def sum_counts(counts) -> DepartmentCounts:
    total = DepartmentCounts(None)
    for item in counts:
        for f in fields(DepartmentCounts):
            if f.name != "department_id":
                setattr(total, f.name, getattr(total, f.name) + getattr(item, f.name))
    return total


@dataclass
class MonthlyReport:
    year: int
    month: int
    start: datetime
    end: datetime
    calls: service_level.Summary
    on_time: list[kpis.OnTime]
    orders: OrderReportFigures | None  # None: the work-order package registered nothing
    kb_updates: int | None = None  # P1: knowledge-base revisions saved after the first

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def acceptance(self) -> kpis.OnTime:
        return combined(self.on_time, ACCEPT_KINDS)

    @property
    def on_site(self) -> kpis.OnTime:
        return combined(self.on_time, ON_SITE_KINDS)

    @property
    def completion(self) -> kpis.OnTime:
        return combined(self.on_time, COMPLETION_KINDS)

    @property
    def totals(self) -> DepartmentCounts | None:
        return sum_counts(self.orders.departments.values()) if self.orders else None

    @property
    def direct_answer_rate(self) -> float | None:
        """P1: calls answered directly / calls that could be: enquiries closed on the call,
        plus orders of other categories closed on the call from a knowledge-base article,
        over the enquiries opened plus those article-answered orders."""
        o = self.orders
        if o is None:
            return None
        return rate(o.enquiries_answered_on_call + o.cited_outside_enquiries,
                    o.enquiries + o.cited_outside_enquiries)


def monthly_report(session: Session, ports: SlaPorts, year: int, month: int,
                   zone: ZoneInfo) -> MonthlyReport:
    start, end = kpis.month_bounds(year, month, zone)
    orders = ports.order_report(session, start, end) if ports.order_report else None
    return MonthlyReport(year, month, start, end, service_level.summary(session, start, end),
                         kpis.on_time_rates(session, ports, start, end), orders,
                         kb_updates=updates_between(session, start, end))


@dataclass(frozen=True)
class Names:
    """Codes and names (in the reader's language) of departments and areas."""

    departments: dict[int, tuple[str, str]]
    areas: dict[int, tuple[str, str]]
    english: bool

    def department(self, department_id: int | None) -> str:
        return self.departments.get(department_id, ("", _("No department")))[1] \
            if department_id is not None else _("No department")

    def department_code(self, department_id: int | None) -> str | None:
        return self.departments[department_id][0] if department_id in self.departments \
            else None

    def area(self, area_id: int | None) -> str:
        return self.areas.get(area_id, ("", _("No area")))[1] if area_id is not None \
            else _("No area")

    def area_code(self, area_id: int | None) -> str | None:
        return self.areas[area_id][0] if area_id in self.areas else None

    def category(self, orders: OrderReportFigures | None, code: str) -> str:
        names = orders.category_names.get(code) if orders else None
        return (names[1] if self.english else names[0]) if names else code


def names(session: Session, locale: str) -> Names:
    english = str(locale).startswith("en")
    pick = (lambda r: r.name_en) if english else (lambda r: r.name_zh)
    return Names({d.id: (d.code, pick(d)) for d in session.scalars(select(Department))},
                 {a.id: (a.code, pick(a)) for a in session.scalars(select(Area))}, english)


def _on_time(item: kpis.OnTime) -> dict:
    return {"decided": item.decided, "on_time": item.on_time, "rate": item.rate}


def report_json(report: MonthlyReport, n: Names,
                settings: service_level.LevelSettings) -> dict:
    """The report as JSON (console and `GET /api/v1/reports/monthly`): rates are fractions,
    null when nothing was counted."""
    calls = report.calls
    body: dict = {
        "month": report.label, "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "knowledge_updates": report.kb_updates,
        "calls": {"offered": calls.offered, "answered": calls.answered,
                  "answer_rate": calls.answer_rate, "answer_rate_target":
                      settings.answer_rate_target,
                  "answered_in_threshold": calls.answered_in_threshold,
                  "threshold_seconds": settings.threshold_seconds,
                  "service_level": calls.service_level, "service_level_target": settings.target,
                  "abandoned": calls.abandoned,
                  "average_wait_seconds": calls.average_wait_seconds},
        "on_time_target": kpis.ON_TIME_TARGET,
        "acceptance_on_time": _on_time(report.acceptance),
        "on_site_on_time": _on_time(report.on_site),
        "completion_on_time": _on_time(report.completion),
        "on_time": [{"department": n.department_code(r.department_id), "kind": r.kind,
                     **_on_time(r)} for r in report.on_time],
        "orders": None,
    }
    o, t = report.orders, report.totals
    if o is None or t is None:
        return body
    body["orders"] = {
        "opened": t.opened, "received": t.received,
        "enquiries": o.enquiries, "enquiries_answered_on_call": o.enquiries_answered_on_call,
        "direct_answer_rate": report.direct_answer_rate, "closed_on_call": o.closed_on_call,
        "cited_on_call": o.cited_on_call, "cited_outside_enquiries": o.cited_outside_enquiries,
        "extensions": t.extensions, "returns": t.returns,
        "follow_up_rate": rate(t.followed_up, t.resolved_orders),
        "satisfaction_rate": rate(t.satisfied, t.follow_up_answers),
        "reopen_rate": rate(t.reopened, t.resolutions),
        "repeated_complaints": o.repeated_complaints,
        "complaints_resolved": o.complaints_resolved,
        "complaint_handling_hours": o.complaint_hours,
        "by_category": by_category(o),
        "by_department": [
            {"department": n.department_code(d.department_id), "opened": d.opened,
             "received": d.received, "returns": d.returns, "extensions": d.extensions,
             "follow_up_rate": rate(d.followed_up, d.resolved_orders),
             "satisfaction_rate": rate(d.satisfied, d.follow_up_answers),
             "reopen_rate": rate(d.reopened, d.resolutions)}
            for d in departments_in_order(o, n)],
    }
    return body


def by_category(orders: OrderReportFigures) -> list[dict]:
    counts: dict[str, int] = {}
    for c in orders.by_category_area:
        counts[c.category] = counts.get(c.category, 0) + c.count
    return [{"category": code, "count": count}
            for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def departments_in_order(orders: OrderReportFigures, n: Names) -> list[DepartmentCounts]:
    """Departments by name, the orders without one last."""
    return sorted(orders.departments.values(),
                  key=lambda d: (d.department_id is None, n.department(d.department_id)))
