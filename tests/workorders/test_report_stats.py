"""Work-order figures for the monthly report, the assessment and the charts (`sla.ports`
OrderReport and OrderBacklog), and the order list's date filters they link to."""

from __future__ import annotations

from datetime import timedelta

from workorders import stats


def test_department_counts_attribute_each_figure(session, world, create, act, clock):
    start = clock.now()
    order = create(category="water_quality")  # → the lab
    act(world.chemist, order, "return", reason="应由维修所处理")  # P3: the lab returned it
    act(world.supervisor, order, "dispatch", department_id=world.maint_north.id)
    act(world.fixer, order, "accept")
    act(world.fixer, order, "resolve", result="已处理")
    complaint = create(category="complaint")
    act(world.clerk, complaint, "accept")
    act(world.clerk, complaint, "request_extension", reason="需厂家配合",
        new_due=clock.now() + timedelta(days=9), kind="resolve")
    act(world.supervisor, complaint, "approve_extension")
    create(category="general_enquiry", answer="水价为每吨3.2元")
    create(category="enquiry")
    end = clock.now() + timedelta(minutes=1)
    counts = stats.department_counts(session, start, end)
    lab, north, cs = (counts[d.id] for d in (world.lab, world.maint_north, world.cs))
    assert (lab.received, lab.returns, lab.opened) == (1, 1, 0)  # the order moved on
    assert (north.received, north.opened, north.resolutions, north.resolved_orders) == (
        1, 1, 1, 1)
    assert (cs.received, cs.extensions, cs.opened) == (2, 1, 2)  # R15
    assert counts[None].opened == 1  # answered on the call: no department (R6)
    report = stats.order_report(session, start, end)
    assert (report.enquiries, report.enquiries_answered_on_call) == (2, 1)  # P1
    assert report.closed_on_call == 1 and report.repeated_complaints is None
    assert report.category_names["complaint"] == ("服务投诉", "Service complaint")
    assert sorted((c.category, c.count) for c in report.by_category_area) == [
        ("complaint", 1), ("enquiry", 1), ("general_enquiry", 1), ("water_quality", 1)]


def test_complaint_handling_time(session, world, create, act, clock):
    start = clock.now()
    complaint = create(category="complaint")
    act(world.clerk, complaint, "accept")
    clock.advance(hours=6)
    act(world.clerk, complaint, "resolve", result="已道歉")
    report = stats.order_report(session, start, clock.now() + timedelta(minutes=1))
    assert report.complaints_resolved == 1 and report.complaint_hours == 6.0  # R18


def test_backlog_counts_open_and_overdue_orders_per_period(session, world, create, act,
                                                          clock):
    day0 = clock.now()
    first = create()  # leak: accept within 20 min (R14), on site within 20 min (R16)
    second = create()
    act(world.fixer, second, "accept")
    act(world.fixer, second, "arrive")
    clock.advance(hours=1)
    act(world.supervisor, first, "cancel", reason="重复报修")
    clock.advance(hours=1)
    periods = [(day0 - timedelta(hours=1), day0), (day0, day0 + timedelta(minutes=30)),
               (day0 + timedelta(minutes=30), day0 + timedelta(hours=2))]
    points = stats.order_backlog(session, periods)
    assert [(p.opened, p.finished, p.open_at_end) for p in points] == [
        (0, 0, 0), (2, 0, 2), (0, 1, 1)]
    # 30 min in, the first order was past its accept and on-site clocks; after it was
    # cancelled its clocks stopped; the second met both in time.
    assert [p.overdue_at_end for p in points] == [0, 1, 0]
    assert stats.order_backlog(session, []) == []


def test_order_list_date_filters(app, session, world, create, login_as, clock):
    create()
    clock.advance(days=1)
    create()
    client = login_as(world.supervisor)

    def count(query):
        html = client.get(f"/workorders/?view=all&{query}").get_data(as_text=True)
        return int(html.split(" 张工单")[0].rsplit("共 ", 1)[1])

    assert count("opened_from=2026-11-24&opened_to=2026-11-24") == 1
    assert count("opened_from=2026-11-24") == 2 and count("opened_to=2026-11-23") == 0
    assert count("open_on=2026-11-24") == 1 and count("overdue_on=2026-11-24") == 1
    response = client.get("/workorders/?view=all&opened_from=24.11.2026")
    assert response.status_code == 422
