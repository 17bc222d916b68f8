"""The monthly report and the department assessment as tables, headed in the reader's
language, each figure linked to the orders or calls behind it (on screen)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from sla import kpis
from sla.assessment import Assessment
from sla.exports import BY_ROW, CHANGE, COUNT, DECIMAL, PERCENT, Column, Table
from sla.ports import SlaPorts
from sla.reports import (ACCEPT_KINDS, COMPLETION_KINDS, MonthlyReport, Names, by_category,
                         combined, departments_in_order, rate)
from sla.labels import CLOCK_KIND
from sla.service_level import LevelSettings



class Links:
    """Console links to the orders and calls of the report's month (None without a list)."""

    def __init__(self, ports: SlaPorts, start: datetime, end: datetime, zone) -> None:
        self.ports, self.start, self.end = ports, start, end
        self.first = start.astimezone(zone).date()
        self.last = (end.astimezone(zone) - timedelta(seconds=1)).date()

    def orders(self, **filters) -> str | None:
        if self.ports.orders_link is None:
            return None
        return self.ports.orders_link(opened_from=self.first, opened_to=self.last, **filters)

    def calls(self, **filters) -> str | None:
        if self.ports.calls_link is None:
            return None
        return self.ports.calls_link(since=self.start, until=self.end, queued=True, **filters)


def heading_lines(title: str, start: datetime, end: datetime, zone, now: datetime) -> list[str]:
    last = (end.astimezone(zone) - timedelta(seconds=1)).date()
    return [title,
            _("Period: %(first)s to %(last)s (local time, %(zone)s)",
              first=start.astimezone(zone).date().isoformat(), last=last.isoformat(),
              zone=str(zone)),
            _("Generated: %(when)s", when=now.astimezone(zone).strftime("%Y-%m-%d %H:%M"))]


def monthly_tables(report: MonthlyReport, n: Names, settings: LevelSettings,
                   links: Links) -> list[Table]:
    tables = [_summary(report, settings, links)]
    if report.orders is not None:
        tables += [_categories(report, n, links), _departments(report, n, links),
                   _areas(report, n, links)]
    tables.append(_on_time(report, n, links))
    return tables


def _summary(report: MonthlyReport, settings: LevelSettings, links: Links) -> Table:
    calls, t, o = report.calls, report.totals, report.orders
    target = kpis.ON_TIME_TARGET
    seconds = int(settings.threshold_seconds)
    rows = [
        (_("Calls offered"), calls.offered, COUNT, None, "R2", links.calls()),
        (_("Calls answered"), calls.answered, COUNT, None, "R2",
         links.calls(outcome="answered")),
        (_("Answer rate"), calls.answer_rate, PERCENT, settings.answer_rate_target, "R2",
         links.calls()),
        (_("Answered within %(s)s s (service level)", s=seconds), calls.service_level,
         PERCENT, settings.target, "R1", links.calls(outcome="answered")),
        (_("Calls abandoned"), calls.abandoned, COUNT, None, "R2",
         links.calls(outcome="abandoned")),
        (_("Average wait (s)"), calls.average_wait_seconds, DECIMAL, None, "R1", None),
        (_("Direct-answer rate (answered on the call)"), report.direct_answer_rate,
         PERCENT, None, "P1", links.orders(category="general_enquiry", status="closed")),
        (_("Closed on the call from a knowledge-base article"),
         o.cited_on_call if o else None, COUNT, None, "P1", None),
        (_("Knowledge-base updates"), report.kb_updates, COUNT, None, "P1", None),
        (_("Work orders opened"), t.opened if t else None, COUNT, None, "", links.orders()),
        (_("Acceptance on time"), report.acceptance.rate, PERCENT, target, "R14",
         links.orders()),
        (_("On site on time"), report.on_site.rate, PERCENT, target, "R16 R17",
         links.orders()),
        (_("On-time completion"), report.completion.rate, PERCENT, target, "R18 R19 R20",
         links.orders()),
        (_("Extensions approved"), t.extensions if t else None, COUNT, None, "R15", None),
        (_("Returns"), t.returns if t else None, COUNT, None, "P3",
         links.orders(status="returned")),
        (_("Follow-up rate"), rate(t.followed_up, t.resolved_orders) if t else None, PERCENT,
         None, "R23", None),
        (_("Satisfaction"), rate(t.satisfied, t.follow_up_answers) if t else None, PERCENT,
         None, "R23", links.orders(status="closed")),
        (_("Reopen rate"), rate(t.reopened, t.resolutions) if t else None, PERCENT, None,
         "R12", links.orders(status="reopened")),
        (_("Repeated complaints"), o.repeated_complaints if o else None, COUNT, None, "R13",
         None),
        (_("Complaint handling time (hours, mean)"), o.complaint_hours if o else None,
         DECIMAL, None, "R18", links.orders(category="complaint")),
    ]
    return Table(
        "summary", _("Figures"),
        [Column(_("Figure")), Column(_("Value"), BY_ROW), Column(_("Target"), PERCENT),
         Column(_("Rule"))],
        rows=[[label, value, "" if goal is None else goal, rule]
              for label, value, _k, goal, rule, _link in rows],
        links=[[None, link, None, None] for *_rest, link in rows],
        row_kinds=[kind for _a, _b, kind, *_rest in rows],
        row_targets=[goal for _a, _b, _c, goal, *_rest in rows],
        note=_("Direct-answer rate: orders of the enquiry categories closed on the call, and "
               "orders of other categories closed on the call from a knowledge-base article, "
               "out of all enquiry orders opened in the month plus those article-answered "
               "orders. Repeated complaints are not "
               "available until orders record which earlier complaint they repeat."))


def _categories(report: MonthlyReport, n: Names, links: Links) -> Table:
    items = by_category(report.orders)
    total = sum(i["count"] for i in items)
    return Table("categories", _("Orders by category"),
                 [Column(_("Category")), Column(_("Orders"), COUNT), Column(_("Share"), PERCENT)],
                 rows=[[n.category(report.orders, i["category"]), i["count"],
                        rate(i["count"], total)] for i in items],
                 links=[[None, links.orders(category=i["category"]), None] for i in items])


def _departments(report: MonthlyReport, n: Names, links: Links) -> Table:
    target = kpis.ON_TIME_TARGET
    rows, cell_links = [], []
    for d in departments_in_order(report.orders, n):
        rows.append([n.department(d.department_id), d.opened, d.received,
                     combined(report.on_time, ACCEPT_KINDS, d.department_id).rate,
                     combined(report.on_time, COMPLETION_KINDS, d.department_id).rate,
                     rate(d.followed_up, d.resolved_orders),
                     rate(d.satisfied, d.follow_up_answers),
                     rate(d.reopened, d.resolutions), d.returns, d.extensions])
        code = n.department_code(d.department_id)
        link = links.orders(department=code) if code else None
        cell_links.append([None, link, None, None, None, None, None,
                           links.orders(department=code, status="reopened") if code else None,
                           links.orders(department=code, status="returned") if code else None,
                           None])
    return Table("departments", _("Orders by department"),
                 [Column(_("Department")), Column(_("Orders opened"), COUNT),
                  Column(_("Received"), COUNT), Column(_("Acceptance on time"), PERCENT, target),
                  Column(_("On-time completion"), PERCENT, target),
                  Column(_("Follow-up rate"), PERCENT), Column(_("Satisfaction"), PERCENT),
                  Column(_("Reopen rate"), PERCENT), Column(_("Returns"), COUNT),
                  Column(_("Extensions approved"), COUNT)],
                 rows=rows, links=cell_links)


def _areas(report: MonthlyReport, n: Names, links: Links) -> Table:
    items = sorted(report.orders.by_category_area,
                   key=lambda c: (c.area_id is None, n.area(c.area_id), -c.count, c.category))
    return Table("areas", _("Orders by area and category"),
                 [Column(_("Area")), Column(_("Category")), Column(_("Orders"), COUNT)],
                 rows=[[n.area(c.area_id), n.category(report.orders, c.category), c.count]
                       for c in items],
                 links=[[None, None, links.orders(category=c.category,
                                                  area=n.area_code(c.area_id))]
                        for c in items])


def _on_time(report: MonthlyReport, n: Names, links: Links) -> Table:
    target = kpis.ON_TIME_TARGET
    items = sorted(report.on_time, key=lambda r: (r.department_id is None,
                                                   n.department(r.department_id), r.kind))
    return Table("on_time", _("On-time rate by department and clock"),
                 [Column(_("Department")), Column(_("Clock")), Column(_("Decided"), COUNT),
                  Column(_("On time"), COUNT), Column(_("Rate"), PERCENT, target)],
                 rows=[[n.department(r.department_id), str(CLOCK_KIND.get(r.kind, r.kind)),
                        r.decided, r.on_time, r.rate] for r in items],
                 links=[[None, None, links.orders(department=n.department_code(
                     r.department_id)), None, None] for r in items],
                 note=_("A clock counts in the month its deadline fell due; met by its "
                        "(extended, R15) due time is on time. Target: %(t)s%%.",
                        t=int(target * 100)))


def assessment_table(result: Assessment, n: Names, links: Links,
                     visible: set[int] | None = None) -> Table:
    """`visible`: the departments the reader may see (None: all); ranks stay global."""
    rows, cell_links = [], []
    for s in result.ranked:
        if visible is not None and s.department_id not in visible:
            continue
        code = n.department_code(s.department_id)
        rows.append([s.rank, n.department(s.department_id), s.score, s.score_change,
                     s.rank_change, s.counts.received, s.acceptance.rate, s.completion.rate,
                     s.follow_up_rate, s.satisfaction, s.counts.returns, s.return_rate])
        cell_links.append([None, links.orders(department=code), None, None, None, None, None,
                           None, None, None, links.orders(department=code, status="returned"),
                           None])
    target = kpis.ON_TIME_TARGET
    return Table(
        "assessment", _("Department assessment"),
        [Column(_("Rank"), COUNT), Column(_("Department")), Column(_("Score"), DECIMAL),
         Column(_("Score vs last month"), CHANGE), Column(_("Places vs last month"), CHANGE),
         Column(_("Received"), COUNT), Column(_("Acceptance on time"), PERCENT, target),
         Column(_("On-time completion"), PERCENT, target), Column(_("Follow-up rate"), PERCENT),
         Column(_("Satisfaction"), PERCENT), Column(_("Returns"), COUNT),
         Column(_("Return rate"), PERCENT)],
        rows=rows, links=cell_links,
        note=_("Score: the mean of acceptance on time, on-time completion, follow-up rate, "
               "satisfaction and (1 − return rate), over the rates a department has figures "
               "for, × 100; a department needs one of the first four to be ranked. Ranked: "
               "%(n)s departments.", n=result.ranked_count))
