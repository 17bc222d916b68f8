"""Console pages: who sees what, forms validate, nothing half-written."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from sla import clocks
from sla.deadline_math import Limit
from sla.models import CalendarDay, CalendarYear, SlaPolicy
from tests.conftest import csrf_token_from
from tests.factories import make_area, make_department, make_user

PAGES = ["/sla/", "/sla/wallboard", "/sla/policies", "/sla/calendar", "/sla/report"]


@pytest.mark.parametrize("role,allowed", [
    ("admin", set(PAGES)), ("supervisor", set(PAGES)),
    ("agent", {"/sla/wallboard"}), ("staff", set())])
def test_pages_by_role(app, session, login_as, role, allowed):
    user = make_user(session, role, department=make_department(session))
    session.commit()
    client = login_as(user)
    for page in PAGES:
        status = client.get(page).status_code
        assert status == (200 if page in allowed else 403), (page, status)


def test_dashboard_shows_breaches_clusters_and_calendar_warning(app, session, clock,
                                                                login_as, orders, ctx):
    dept = make_department(session, name_zh="城东维修所")
    orders.add(1, department_id=dept.id)
    clocks.start_clock(session, ("work_order", 1), "on_site", Limit(minutes=20),
                       now=clock.now() - timedelta(hours=1), ctx=ctx)
    from sla.ports import ports
    from sla.watch import sweep_breaches
    ports(app).order_stats = None  # nothing registered: the page must not fake figures
    sweep_breaches(session, ports(app), clock.now())
    user = make_user(session, "supervisor")
    session.commit()
    html = login_as(user).get("/sla/").get_data(as_text=True)
    assert "WO-1" in html and "城东维修所" in html
    assert 'id="calendar-warning"' in html and "2027" in html  # library lacks 2027
    assert "暂无数据" in html  # no OrderStats registered: not faked
    session.add(CalendarYear(year=2027, confirmed_at=clock.now(), note="通知"))
    session.commit()
    assert 'id="calendar-warning"' not in login_as(user).get("/sla/").get_data(as_text=True)


def test_report_without_order_figures_says_not_available(app, session, login_as):
    from sla.ports import ports
    ports(app).order_report = None  # an install without the work-order package
    user = make_user(session, "supervisor", locale="en")
    session.commit()
    html = login_as(user).get("/sla/report?month=2026-11").get_data(as_text=True)
    assert "Work-order figures are not available" in html
    assert 'id="table-departments"' not in html  # nothing faked
    assert login_as(user).get("/sla/report?month=nov").status_code == 422


def test_admin_edits_policy_with_validation(app, session, login_as):
    admin = make_user(session, "admin")
    session.commit()
    client = login_as(admin)
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.kind == "accept"))
    page = client.get(f"/sla/policies/{policy.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    bad = client.post(f"/sla/policies/{policy.id}", data={
        "csrf_token": token, "limit_minutes": "15", "limit_working_days": "2",
        "warn_ratio": "0.8", "active": "y"})
    assert bad.status_code == 422
    bad = client.post(f"/sla/policies/{policy.id}", data={
        "csrf_token": token, "limit_minutes": "15", "warn_ratio": "1.5", "active": "y"})
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(SlaPolicy, policy.id).limit_minutes == 20
    ok = client.post(f"/sla/policies/{policy.id}", data={
        "csrf_token": token, "limit_minutes": "15", "warn_ratio": "0.7", "active": "y"})
    assert ok.status_code == 302
    session.expire_all()
    row = session.get(SlaPolicy, policy.id)
    assert (row.limit_minutes, row.warn_ratio, row.active) == (15, 0.7, True)


def test_supervisor_cannot_edit_policies_or_calendar(app, session, login_as):
    user = make_user(session, "supervisor")
    session.commit()
    client = login_as(user)
    policy = session.scalar(select(SlaPolicy))
    assert client.get(f"/sla/policies/{policy.id}").status_code == 403
    token = csrf_token_from(client.get("/sla/calendar").get_data(as_text=True))
    response = client.post("/sla/calendar?year=2027", data={
        "csrf_token": token, "action": "add", "day-day": "2027-02-06", "day-kind": "workday",
        "day-note": "x", "day-csrf_token": token})
    assert response.status_code == 403
    assert session.scalar(select(CalendarDay)) is None


def test_admin_adds_override_and_confirms_year(app, session, login_as):
    admin = make_user(session, "admin")
    session.commit()
    client = login_as(admin)
    html = client.get("/sla/calendar?year=2027").get_data(as_text=True)
    token = csrf_token_from(html)
    response = client.post("/sla/calendar?year=2027", data={
        "action": "add", "day-csrf_token": token, "day-day": "2027-02-06",
        "day-kind": "workday", "day-note": "国办发明电"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/sla/calendar?year=2027", data={
        "action": "add", "day-csrf_token": token, "day-day": "2027-02-07",
        "day-kind": "workday", "day-note": ""})
    assert response.status_code == 422
    response = client.post("/sla/calendar?year=2027", data={
        "action": "confirm", "confirm-csrf_token": token, "confirm-year": "2027",
        "confirm-note": "国务院办公厅关于2027年部分节假日安排的通知"})
    assert response.status_code == 302
    html = client.get("/sla/calendar?year=2027").get_data(as_text=True)
    assert "2027-02-06" in html and "国办发明电" in html and "已于" in html
    assert [d.day.isoformat() for d in session.scalars(select(CalendarDay))] == ["2027-02-06"]
    response = client.post("/sla/calendar?year=2027", data={
        "action": "remove", "csrf_token": token, "day": "2027-02-06"})
    assert response.status_code == 302
    assert session.scalar(select(CalendarDay)) is None
    assert client.get("/sla/calendar?year=abc").status_code == 422


def test_wallboard_refreshes_and_counts_waiting_calls(app, session, clock, login_as, calls):
    from sla.ports import CallFact
    t = clock.now()
    calls.facts.append(CallFact(1, t - timedelta(seconds=40), t - timedelta(seconds=30),
                                None, None, None))
    user = make_user(session, "agent")
    session.commit()
    html = login_as(user).get("/sla/wallboard").get_data(as_text=True)
    assert 'http-equiv="refresh"' in html  # without JavaScript (inside <noscript>)
    assert 'id="wallboard" data-refresh="10"' in html and "/static/sla/wallboard.js" in html
    assert 'id="waiting-count" class="sev-critical">1<' in html


def test_cluster_page_and_close(app, session, clock, login_as, orders, ctx):
    from sla.clusters import detect_clusters
    from sla.ports import ports
    area = make_area(session)
    for i in (1, 2, 3):
        orders.add(i, area_id=area.id, opened_at=clock.now())
    (cluster_id,) = detect_clusters(session, ports(app), clock.now(), size=3,
                                    window=timedelta(hours=2), ctx=ctx).created
    user = make_user(session, "supervisor")
    session.commit()
    client = login_as(user)
    html = client.get(f"/sla/clusters/{cluster_id}").get_data(as_text=True)
    assert 'href="/workorders/WO-3"' in html  # members come from the subject describer
    token = csrf_token_from(html)
    assert client.post(f"/sla/clusters/{cluster_id}/close",
                       data={"csrf_token": token, "note": ""}).status_code == 422
    assert client.post(f"/sla/clusters/{cluster_id}/close",
                       data={"csrf_token": token, "note": "已处理"}).status_code == 302
    assert client.get("/sla/clusters/999").status_code == 404


def test_home_panels(app, session, login_as):
    supervisor = make_user(session, "supervisor")
    agent = make_user(session, "agent")
    session.commit()
    assert "时限督办" in login_as(supervisor).get("/").get_data(as_text=True)
    assert "时限督办" not in login_as(agent).get("/").get_data(as_text=True)
