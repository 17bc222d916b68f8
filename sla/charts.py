"""Chart data for the supervisors' charts page, as small JSON specs that `static/charts.js`
draws with ECharts: x categories (local times and dates), series of counts or rates
(fractions), an optional target line, and for every point the console link to the calls or
orders behind it (None where there is no list to show)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from sla import kpis, service_level
from sla.ports import SlaPorts
from sla.labels import CLOCK_KIND as CLOCK_KINDS
from sla.reports import Names, rate
from sla.service_level import INTERVAL, LevelSettings

PERCENT, COUNT = "percent", "count"


def series(name: str, kind: str, data: list, links: list | None = None, *, chart: str = "bar",
           target: float | None = None, target_label: str = "", stack: str | None = None
           ) -> dict:
    return {"name": name, "axis": kind, "type": chart, "data": data,
            "links": links or [None] * len(data), "target": target,
            "target_label": target_label, "stack": stack}


def spec(title: str, categories: list[str], items: list[dict], *, horizontal: bool = False,
         empty: str = "") -> dict:
    has_data = any(v not in (None, 0) for s in items for v in s["data"])
    return {"title": title, "categories": categories, "series": items,
            "horizontal": horizontal, "empty": "" if has_data else empty,
            "axes": {PERCENT: _("Rate"), COUNT: _("Count")}}


def _level_series(buckets: list[tuple[datetime, datetime, service_level.Rollup]],
                  settings: LevelSettings, ports: SlaPorts) -> list[dict]:
    links = [ports.calls_link(since=s, until=e, queued=True) if ports.calls_link else None
             for s, e, _r in buckets]
    answered = [ports.calls_link(since=s, until=e, queued=True, outcome="answered")
                if ports.calls_link else None for s, e, _r in buckets]
    seconds = int(settings.threshold_seconds)
    return [
        series(_("Calls offered"), COUNT, [r.offered for *_x, r in buckets], links),
        series(_("Answered within %(s)s s", s=seconds), PERCENT,
               [r.service_level for *_x, r in buckets], answered, chart="line",
               target=settings.target,
               target_label=_("target %(t)s%%", t=round(settings.target * 100))),
        series(_("Answer rate"), PERCENT, [r.answer_rate for *_x, r in buckets], links,
               chart="line", target=settings.answer_rate_target,
               target_label=_("target %(t)s%%", t=round(settings.answer_rate_target * 100))),
    ]


def _add(total: service_level.Rollup, row) -> None:
    for name in ("offered", "answered", "answered_in_threshold", "abandoned"):
        setattr(total, name, getattr(total, name) + getattr(row, name))


def intervals_of_day(session: Session, ports: SlaPorts, day: date,
                     settings: LevelSettings) -> dict:
    """R1, R2 per 15-minute interval of a local day (every line together)."""
    start, end = kpis.day_bounds(day, settings.zone)
    buckets: dict[datetime, service_level.Rollup] = {}
    moment = start.astimezone(timezone.utc)
    while moment < end:
        buckets[moment] = service_level.Rollup()
        moment += INTERVAL
    for row in service_level.intervals_between(session, start, end):
        _add(buckets.setdefault(row.starts_at, service_level.Rollup()), row)
    items = [(s, s + INTERVAL, r) for s, r in sorted(buckets.items())]
    return spec(_("Service level and answer rate by 15 minutes, %(day)s", day=day.isoformat()),
                [s.astimezone(settings.zone).strftime("%H:%M") for s, *_r in items],
                _level_series(items, settings, ports), empty=_("No calls this day."))


def month_days(year: int, month: int, zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    start, end = kpis.month_bounds(year, month, zone)
    days, day = [], start.date()
    while day < end.date():
        s, e = kpis.day_bounds(day, zone)
        days.append((day, s, e))
        day += timedelta(days=1)
    return days


def days_of_month(session: Session, ports: SlaPorts, year: int, month: int,
                  settings: LevelSettings) -> dict:
    """R1, R2 per local day of a month, from the month's 15-minute rollups."""
    days = month_days(year, month, settings.zone)
    totals: dict[date, service_level.Rollup] = defaultdict(service_level.Rollup)
    for row in service_level.intervals_between(session, days[0][1], days[-1][2]):
        _add(totals[row.starts_at.astimezone(settings.zone).date()], row)
    items = [(s, e, totals[d]) for d, s, e in days]
    return spec(_("Service level and answer rate by day, %(month)s",
                  month=f"{year:04d}-{month:02d}"),
                [d.strftime("%m-%d") for d, *_r in days], _level_series(items, settings, ports),
                empty=_("No calls this month."))


def on_time_by_department(session: Session, ports: SlaPorts, year: int, month: int,
                          zone: ZoneInfo, n: Names, links: dict) -> dict:
    """On-time rate per department and clock kind, against the 99 % target (R18)."""
    start, end = kpis.month_bounds(year, month, zone)
    rates = kpis.on_time_rates(session, ports, start, end)
    departments = sorted({r.department_id for r in rates},
                         key=lambda d: (d is None, n.department(d)), reverse=True)
    kinds = [k for k in CLOCK_KINDS if any(r.kind == k for r in rates)]
    found = {(r.department_id, r.kind): r.rate for r in rates}
    target = kpis.ON_TIME_TARGET
    items = [series(str(CLOCK_KINDS[k]), PERCENT,
                    [found.get((d, k)) for d in departments],
                    [links["orders"](department=n.department_code(d))
                     if n.department_code(d) else None for d in departments],
                    target=target if i == 0 else None,
                    target_label=_("target %(t)s%%", t=round(target * 100)))
             for i, k in enumerate(kinds)]
    return spec(_("On-time rate by department and clock, %(month)s",
                  month=f"{year:04d}-{month:02d}"),
                [n.department(d) for d in departments], items, horizontal=True,
                empty=_("No deadlines fell due this month."))


def categories_by_area(figures, n: Names, links: dict, label: str) -> dict:
    """Orders opened in the month by category, stacked by area."""
    if figures is None:
        return spec(_("Orders by category and area, %(month)s", month=label), [], [],
                    empty=_("Not available: the work-order package registered no figures."))
    totals: dict[str, int] = defaultdict(int)
    counts: dict[tuple[int | None, str], int] = {}
    for c in figures.by_category_area:
        totals[c.category] += c.count
        counts[(c.area_id, c.category)] = c.count
    categories = sorted(totals, key=lambda code: (-totals[code], code))
    areas = sorted({c.area_id for c in figures.by_category_area},
                   key=lambda a: (a is None, n.area(a)))
    items = [series(n.area(a), COUNT, [counts.get((a, c), 0) for c in categories],
                    [links["orders"](category=c, area=n.area_code(a)) for c in categories],
                    stack="areas")
             for a in areas]
    return spec(_("Orders by category and area, %(month)s", month=label),
                [n.category(figures, c) for c in categories], items,
                empty=_("No orders this month."))


def backlog_trend(session: Session, ports: SlaPorts, year: int, month: int, zone: ZoneInfo,
                  now: datetime, links: dict) -> dict:
    """Open and overdue orders at the end of each day of the month (up to now), and the
    orders opened each day."""
    label = f"{year:04d}-{month:02d}"
    days = [(d, s, min(e, now)) for d, s, e in month_days(year, month, zone) if s < now]
    if ports.order_backlog is None or not days:
        return spec(_("Backlog and overdue orders, %(month)s", month=label), [], [],
                    empty=_("Not available: the work-order package registered no figures.")
                    if ports.order_backlog is None else _("This month has not begun."))
    points = ports.order_backlog(session, [(s, e) for _d, s, e in days])
    dates = [d for d, *_r in days]
    # The last point may end now, mid-day: its links show the orders open or overdue now.
    is_now = [e == now for *_r, e in days]
    return spec(_("Backlog and overdue orders, %(month)s", month=label),
                [d.strftime("%m-%d") for d in dates], [
                    series(_("Opened that day"), COUNT, [p.opened for p in points],
                           [links["orders"](opened_from=d, opened_to=d) for d in dates]),
                    series(_("Open at the end of the day"), COUNT,
                           [p.open_at_end for p in points],
                           [links["orders"](open_on=d) for d in dates], chart="line"),
                    series(_("Overdue at the end of the day"), COUNT,
                           [p.overdue_at_end for p in points],
                           [links["orders"](overdue=True) if current else
                            links["orders"](overdue_on=d)
                            for d, current in zip(dates, is_now)], chart="line"),
                ], empty=_("No orders this month."))


def satisfaction_by_department(figures, n: Names, links: dict, label: str) -> dict:
    """Follow-up rate, satisfaction and reopen rate per department (R12, R23)."""
    title = _("Satisfaction and reopen rates by department, %(month)s", month=label)
    if figures is None:
        return spec(title, [], [], empty=_("Not available: the work-order package registered "
                                           "no figures."))
    rows = sorted((d for d in figures.departments.values()
                   if d.resolved_orders or d.follow_up_answers or d.resolutions),
                  key=lambda d: (d.department_id is None, n.department(d.department_id)),
                  reverse=True)
    codes = [n.department_code(d.department_id) for d in rows]
    every = [links["orders"](department=c) if c else None for c in codes]
    return spec(title, [n.department(d.department_id) for d in rows], [
        series(_("Follow-up rate"), PERCENT, [rate(d.followed_up, d.resolved_orders)
                                              for d in rows], every),
        series(_("Satisfaction"), PERCENT, [rate(d.satisfied, d.follow_up_answers)
                                            for d in rows], every),
        series(_("Reopen rate"), PERCENT, [rate(d.reopened, d.resolutions) for d in rows],
               [links["orders"](department=c, status="reopened") if c else None
                for c in codes]),
    ], horizontal=True, empty=_("No follow-up calls this month."))
