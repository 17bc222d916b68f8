"""On-time rates per department and clock kind (R18: target ≥ 99 %)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sla import clocks, kpis
from sla.deadline_math import Limit
from sla.ports import ports
from sla.watch import sweep_breaches
from tests.factories import make_department


def test_on_time_rates_by_department_and_kind(app, session, clock, orders, ctx):
    now = clock.now()
    a, b = make_department(session).id, make_department(session).id
    orders.add(1, department_id=a)
    orders.add(2, department_id=a)
    orders.add(3, department_id=b)
    orders.add(4, department_id=b)
    for i in (1, 2, 3, 4):
        clocks.start_clock(session, ("work_order", i), "accept", Limit(minutes=20), now=now,
                           ctx=ctx)
    clocks.meet(session, ("work_order", 1), ["accept"], now=now + timedelta(minutes=5))
    clocks.meet(session, ("work_order", 2), ["accept"], now=now + timedelta(minutes=25))
    sweep_breaches(session, ports(app), now + timedelta(minutes=30))  # 3 and 4 breached
    clocks.meet(session, ("work_order", 3), ["accept"], now=now + timedelta(minutes=40))
    clocks.start_clock(session, ("work_order", 4), "resolve", Limit(working_days=5), now=now,
                       ctx=ctx)
    rates = kpis.on_time_rates(session, ports(app), now, now + timedelta(days=1))
    found = {(r.department_id, r.kind): (r.decided, r.on_time) for r in rates}
    assert found == {(a, "accept"): (2, 1), (b, "accept"): (2, 0)}
    total = kpis.overall(rates)
    assert total.rate == 0.25 and not total.meets_target


def test_report_without_order_stats_says_not_available(app, session, clock):
    start, end = kpis.month_bounds(2026, 11, ZoneInfo("Asia/Shanghai"))
    ports(app).order_stats = None  # an install without the work-order package
    report = kpis.report(session, ports(app), start, end)
    assert report.orders is None and report.calls.offered == 0
    assert report.on_time_total.rate is None


def test_on_time_counted_in_sql_equals_row_by_row(app, session, month):
    """Issue 13: work orders' deadlines are counted by department in one SQL aggregate
    (their `SubjectTable`); the figures are those of describing each order."""
    start, end = kpis.month_bounds(2026, 11, ZoneInfo("Asia/Shanghai"))
    p = ports(app)
    assert "work_order" in p.subject_tables
    in_sql = kpis.on_time_rates(session, p, start, end)
    table = p.subject_tables.pop("work_order")
    try:
        row_by_row = kpis.on_time_rates(session, p, start, end)
    finally:
        p.subject_tables["work_order"] = table
    assert kpis.overall(in_sql).decided > 0
    assert [(r.department_id, r.kind, r.decided, r.on_time) for r in in_sql] == [
        (r.department_id, r.kind, r.decided, r.on_time) for r in row_by_row]
