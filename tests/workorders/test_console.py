"""Console pages: create from a call, lists, detail with only the allowed actions, forms
carrying CSRF and the version, authorization, R27 on screen, admin pages."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from workorders.models import RoutingRule, WorkOrder, WorkOrderEvent


def _version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_create_form_prefilled_from_call_with_household_file(session, world, login_as, client):
    create_order = world  # noqa: F841 - the world provides the customer
    login_as(world.agent)
    page = client.get("/workorders/new?from=%2B8613912345678&call_sid=CA77")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "880001" in html and "解放路" in html and "CA77" in html  # R30 household file
    response = client.post("/workorders/new?from=%2B8613912345678&call_sid=CA77", data={
        "csrf_token": csrf_token_from(html), "category": "leak", "description": "水表漏水",
        "contact_name": "王小明", "contact_phone": "+8613912345678", "account_number": "880001",
        "area": "north", "street": "解放路", "house_number": "12号", "landmark": "邮局对面",
        "call_sid": "CA77"})
    assert response.status_code == 302, response.get_data(as_text=True)
    order = session.scalar(select(WorkOrder))
    assert order.call_sid == "CA77" and order.status == "dispatched"
    assert response.headers["Location"].endswith(f"/workorders/{order.number}")
    # A second call from the same caller shows the first order as a duplicate candidate.
    again = client.get("/workorders/new?from=%2B8613912345678").get_data(as_text=True)
    assert order.number in again


def test_create_form_refuses_missing_r4_details(session, world, login_as, client):
    login_as(world.agent)
    html = client.get("/workorders/new").get_data(as_text=True)
    response = client.post("/workorders/new", data={
        "csrf_token": csrf_token_from(html), "category": "leak", "description": "漏水"})
    assert response.status_code == 422
    assert "R4" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_staff_sees_queue_and_accepts_with_version(session, world, create, login_as, client):
    order = create()
    lab_order = create(category="water_quality")  # the lab's, not shown to maintenance
    login_as(world.fixer)
    queue = client.get("/workorders/").get_data(as_text=True)
    assert order.number in queue and lab_order.number not in queue
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert 'value="accept"' in detail and 'value="dispatch"' not in detail
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "accept",
        "version": _version_of(detail)})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(WorkOrder, order.id).status == "accepted"


def test_stale_console_form_is_refused(session, world, create, login_as, client, act):
    order = create()
    login_as(world.fixer)
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    act(world.fixer2, order, "accept")  # someone else was quicker
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "accept",
        "version": _version_of(detail)})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(WorkOrder, order.id).assignee_id == world.fixer2.id


def test_console_action_without_csrf_is_refused(session, world, create, login_as, client):
    order = create()
    login_as(world.fixer)
    response = client.post(f"/workorders/{order.number}/act",
                           data={"action": "accept", "version": order.version})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(WorkOrder, order.id).status == "dispatched"


def test_console_missing_field_shows_error_and_changes_nothing(session, world, create,
                                                               login_as, client):
    order = create()
    login_as(world.fixer)
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    events = session.scalar(select(func.count()).select_from(WorkOrderEvent))
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "return",
        "version": _version_of(detail)})
    assert response.status_code == 422 and "reason" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(WorkOrderEvent)) == events


def test_other_department_gets_404_in_console(session, world, create, login_as, client):
    order = create()
    login_as(world.chemist)
    page = client.get(f"/workorders/{order.number}")
    assert page.status_code == 404 and "李四" not in page.get_data(as_text=True)
    token = csrf_token_from(client.get("/workorders/").get_data(as_text=True))
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": token, "action": "accept", "version": order.version})
    assert response.status_code == 404
    assert client.get("/workorders/new").status_code == 403


def test_confidential_complainant_hidden_on_console(session, world, create, login_as, client):
    order = create(category="complaint", confidential=True, account_id=world.customer.id)
    login_as(world.clerk)
    for path in (f"/workorders/{order.number}", "/workorders/", "/"):
        html = client.get(path).get_data(as_text=True)
        assert "李四" not in html and "13912345678" not in html and "880001" not in html, path


def test_lists_and_home_panels_render(session, world, create, login_as, client, act):
    order = create()
    act(world.fixer, order, "accept")
    act(world.fixer, order, "resolve", result="修好了")
    login_as(world.agent)
    assert order.number in client.get("/workorders/?view=mine").get_data(as_text=True)
    follow = client.get("/workorders/follow-ups").get_data(as_text=True)
    assert order.number in follow
    home = client.get("/").get_data(as_text=True)
    assert "/workorders/follow-ups" in home
    filtered = client.get("/workorders/?view=all&status=resolved&category=leak&area=north"
                          "&overdue=1&phone=13912345678&text=x")
    assert filtered.status_code == 200


def test_supervisor_home_and_all_list(session, world, create, login_as, client):
    create()
    login_as(world.supervisor)
    assert client.get("/").status_code == 200
    assert "WO-20261124-0001" in client.get("/workorders/").get_data(as_text=True)


def test_admin_edits_routing_rule_and_category(session, world, login_as, client, create):
    from tests.factories import make_user

    admin = make_user(session, "admin", username="root")
    session.commit()
    login_as(admin)
    page = client.get("/workorders/admin/routing").get_data(as_text=True)
    assert "R7" in page
    # Send north leaks to the city-wide crew instead.
    response = client.post("/workorders/admin/routing", data={
        "csrf_token": csrf_token_from(page), "category_code": "leak",
        "area": str(world.north.id), "department_kind": "maintenance",
        "department": str(world.maint_city.id), "position": "1", "rule_ref": "R7 north",
        "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert session.scalar(select(RoutingRule).where(RoutingRule.rule_ref == "R7 north"))
    order = create()
    assert order.department_id == world.maint_city.id and "R7 north" in order.routed_by
    bad = client.post("/workorders/admin/routing", data={
        "csrf_token": csrf_token_from(page), "category_code": "leak",
        "department_kind": "billing", "department": str(world.maint_city.id),
        "position": "1"})
    assert bad.status_code == 422
    cat_page = client.get("/workorders/admin/categories/leak").get_data(as_text=True)
    saved = client.post("/workorders/admin/categories/leak", data={
        "csrf_token": csrf_token_from(cat_page), "name_zh": "漏水", "name_en": "Leak",
        "department_kind": "maintenance", "priority": "urgent", "position": "5",
        "active": "y"})
    assert saved.status_code == 302
    assert "漏水" in client.get("/workorders/admin/categories").get_data(as_text=True)


def test_admin_pages_need_admin(world, login_as, client):
    login_as(world.supervisor)
    assert client.get("/workorders/admin/routing").status_code == 403


def test_export_hides_confidential_complainant_from_staff(session, world, create, login_as,
                                                           client):
    create(category="complaint", confidential=True, account_id=world.customer.id)
    login_as(world.clerk)
    response = client.get("/workorders/export.csv?view=queue")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "WO-20261124-0001" in body and "***" in body
    assert "李四" not in body and "13912345678" not in body and "880001" not in body


def test_export_for_supervisor_has_the_caller(session, world, create, login_as, client):
    create(category="complaint", confidential=True)
    login_as(world.supervisor)
    body = client.get("/workorders/export.csv?view=all&category=complaint").get_data(
        as_text=True)
    assert "李四" in body and "+8613912345678" in body


def test_console_errors_are_in_the_users_language(session, world, create, login_as, client):
    order = create()
    login_as(world.fixer)  # locale zh_CN
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "resolve", "result": "x",
        "version": _version_of(detail)})
    assert response.status_code == 409
    assert "不能执行“办结”" in response.get_data(as_text=True)


def test_detail_in_english(session, world, create, client, login_as):
    from tests.factories import make_user

    order = create()
    english = make_user(session, "staff", world.maint_north, username="tom", locale="en")
    session.commit()
    login_as(english)
    html = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert "Accept" in html and "Timeline" in html and "Dispatched" in html


def test_export_defuses_formulas_a_caller_planted(session, world, create, login_as, client):
    """A voicemail's transcription becomes the description: a formula in it stays text."""
    import csv
    import io

    create(description="=HYPERLINK(\"http://evil.example\",\"退款\")", landmark="@SUM(1)",
           street="-2+3+cmd|' /C calc'!A0", contact_name="+1+1")
    login_as(world.supervisor)
    body = client.get("/workorders/export.csv?view=all").get_data(as_text=True)
    header, row = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    cells = dict(zip(header, row))
    assert cells["description"] == "'=HYPERLINK(\"http://evil.example\",\"退款\")"
    assert cells["landmark"] == "'@SUM(1)" and cells["contact_name"] == "'+1+1"
    assert cells["street"] == "'-2+3+cmd|' /C calc'!A0"
    assert cells["contact_phone"] == "+8613912345678"  # a plain number is kept
