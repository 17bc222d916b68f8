"""API: create, list, get, actions with versions, events; authorization and R27."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_token
from workorders.models import WorkOrder, WorkOrderEvent


@pytest.fixture
def bearer(session, clock):
    def _bearer(user):
        token = make_token(session, user, clock.now())
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


def _snapshot(session, number):
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    events = session.scalar(select(func.count()).where(WorkOrderEvent.order_id == order.id))
    return (order.status, order.version, order.department_id, order.result, events)


def test_create_get_act_and_events(client, session, world, bearer):
    agent = bearer(world.agent)
    body = {"category": "leak", "contact_name": "李四", "contact_phone": "13912345678",
            "area": "north", "street": "人民路", "house_number": "8号", "landmark": "公园东门",
            "description": "路面冒水", "call_sid": "CA1"}
    created = client.post("/api/v1/workorders", json=body, headers=agent)
    assert created.status_code == 201, created.json
    order = created.json
    assert order["number"] == "WO-20261124-0001" and order["status"] == "dispatched"
    assert order["department"] == "maint-north" and order["contact_phone"] == "+8613912345678"
    number = order["number"]
    fixer = bearer(world.fixer)
    got = client.get(f"/api/v1/workorders/{number}", headers=fixer)
    assert got.status_code == 200 and "accept" in got.json["actions"]
    accepted = client.post(f"/api/v1/workorders/{number}/actions",
                           json={"action": "accept"},
                           headers={**fixer, "If-Match": f'"{got.json["version"]}"'})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted"
    events = client.get(f"/api/v1/workorders/{number}/events", headers=fixer).json
    actions = [e["action"] for e in events if e["action"] != "deadline"]
    assert actions == ["created", "sms_queued", "dispatch", "accept"]
    assert events[-2]["action"] == "accept" and events[-2]["actor"] == "fixer"
    assert events[-1]["payload"]["op"] == "met"


def test_list_filters_and_pages(client, session, world, create, bearer):
    create()
    create(category="water_quality", description="水发黄")
    create(category="complaint", contact_phone="+8613700000002", description="态度差")
    boss = bearer(world.supervisor)
    listed = client.get("/api/v1/workorders?per_page=2", headers=boss).json
    assert listed["total"] == 3 and len(listed["items"]) == 2
    page2 = client.get("/api/v1/workorders?per_page=2&page=2", headers=boss).json
    assert len(page2["items"]) == 1
    by_cat = client.get("/api/v1/workorders?category=water_quality", headers=boss).json
    assert [o["department"] for o in by_cat["items"]] == ["lab"]
    by_phone = client.get("/api/v1/workorders?phone=13700000002", headers=boss).json
    assert [o["category"] for o in by_phone["items"]] == ["complaint"]
    by_dept = client.get("/api/v1/workorders?department=maint-north&area=north",
                         headers=boss).json
    assert by_dept["total"] == 1
    assert client.get("/api/v1/workorders?overdue=true", headers=boss).json["total"] == 0
    assert client.get("/api/v1/workorders?owner=agent", headers=boss).json["total"] == 3
    assert client.get("/api/v1/workorders?text=冒水", headers=boss).json["total"] == 1
    bad = client.get("/api/v1/workorders?status=bogus", headers=boss)
    assert bad.status_code == 422 and "status" in bad.json["error"]["fields"]


def test_overdue_filter(client, session, world, create, bearer, clock):
    create()
    clock.advance(minutes=21)  # R14: not accepted within 20 minutes
    boss = bearer(world.supervisor)
    assert client.get("/api/v1/workorders?overdue=true", headers=boss).json["total"] == 1


def test_staff_of_another_department_get_404_never_data(client, session, world, create,
                                                       bearer):
    order = create()
    chemist = bearer(world.chemist)
    for response in (
        client.get(f"/api/v1/workorders/{order.number}", headers=chemist),
        client.get(f"/api/v1/workorders/{order.number}/events", headers=chemist),
        client.post(f"/api/v1/workorders/{order.number}/actions",
                    json={"action": "accept", "version": order.version}, headers=chemist),
    ):
        assert response.status_code == 404
        assert "李四" not in response.get_data(as_text=True)
    listed = client.get("/api/v1/workorders", headers=chemist).json
    assert listed["total"] == 0
    before = _snapshot(session, order.number)
    assert before[0] == "dispatched"


def test_staff_cannot_create_and_need_a_token(client, world, bearer):
    assert client.get("/api/v1/workorders").status_code == 401
    response = client.post("/api/v1/workorders", json={"category": "leak"},
                           headers=bearer(world.fixer))
    assert response.status_code == 403


def test_confidential_complainant_hidden_from_department(client, session, world, create,
                                                         bearer):
    order = create(category="complaint", confidential=True, account_id=world.customer.id,
                   description="抄表员态度差")
    clerk = bearer(world.clerk)
    seen = client.get(f"/api/v1/workorders/{order.number}", headers=clerk)
    text = seen.get_data(as_text=True)
    assert seen.json["contact_name"] == "***" and seen.json["contact_phone"] == "***"
    assert seen.json["account_number"] == "***"
    events = client.get(f"/api/v1/workorders/{order.number}/events", headers=clerk)
    listed = client.get("/api/v1/workorders", headers=clerk)
    for body in (text, events.get_data(as_text=True), listed.get_data(as_text=True)):
        assert "李四" not in body and "13912345678" not in body and "880001" not in body
    # Nor can staff find the complaint by the complainant's phone or account.
    assert client.get("/api/v1/workorders?phone=13912345678", headers=clerk).json["total"] == 0
    assert client.get("/api/v1/workorders?account=880001", headers=clerk).json["total"] == 0
    # The hotline sees the caller.
    boss = client.get(f"/api/v1/workorders/{order.number}", headers=bearer(world.supervisor))
    assert boss.json["contact_name"] == "李四"


def test_recused_staff_cannot_act(client, session, world, create, bearer):  # R28
    order = create(category="complaint", subject_user_id=world.clerk.id)
    response = client.post(f"/api/v1/workorders/{order.number}/actions",
                           json={"action": "accept", "version": order.version},
                           headers=bearer(world.clerk))
    # Nor read it: to the staff member it is about, the complaint does not exist.
    assert response.status_code == 404 and "李四" not in response.get_data(as_text=True)
    assign = client.post(f"/api/v1/workorders/{order.number}/actions",
                         json={"action": "dispatch", "version": order.version,
                               "department": "cs", "assignee": "clerk"},
                         headers=bearer(world.supervisor))
    assert assign.status_code == 403
    ok = client.post(f"/api/v1/workorders/{order.number}/actions",
                     json={"action": "accept", "version": order.version},
                     headers=bearer(world.clerk2))
    assert ok.status_code == 200


@pytest.mark.parametrize("body,status,code", [
    ({"action": "resolve", "result": "done"}, 409, "illegal_transition"),  # not accepted
    ({"action": "return"}, 422, "validation_failed"),  # reason missing
    ({"action": "fly"}, 422, "validation_failed"),  # unknown action
    ({"action": "accept", "version": 99}, 409, "stale_version"),
    ({"action": "accept", "version": None}, 422, "validation_failed"),
])
def test_bad_actions_change_nothing(client, session, world, create, bearer, body, status,
                                    code):
    order = create()
    before = _snapshot(session, order.number)
    payload = {"version": order.version, **body}
    if payload["version"] is None:
        del payload["version"]
    response = client.post(f"/api/v1/workorders/{order.number}/actions", json=payload,
                           headers=bearer(world.fixer))
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert _snapshot(session, order.number) == before


def test_stale_version_answers_with_current_state(client, session, world, create, bearer):
    order = create()
    stale = order.version
    client.post(f"/api/v1/workorders/{order.number}/actions",
                json={"action": "accept", "version": stale}, headers=bearer(world.fixer))
    before = _snapshot(session, order.number)
    response = client.post(f"/api/v1/workorders/{order.number}/actions",
                           json={"action": "return", "reason": "x", "version": stale},
                           headers=bearer(world.fixer))
    assert response.status_code == 409
    assert response.json["error"]["details"]["current"]["status"] == "accepted"
    assert response.json["error"]["details"]["current"]["version"] == stale + 1
    assert _snapshot(session, order.number) == before


def test_unknown_number_and_bad_if_match(client, world, create, bearer):
    boss = bearer(world.supervisor)
    assert client.get("/api/v1/workorders/WO-20260101-9999", headers=boss).status_code == 404
    response = client.post("/api/v1/workorders/nonsense/actions",
                           json={"action": "note", "text": "x", "version": 1}, headers=boss)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    order = create()
    response = client.post(f"/api/v1/workorders/{order.number}/actions",
                           json={"action": "note", "text": "x"},
                           headers={**boss, "If-Match": "abc"})
    assert response.status_code == 422


@pytest.mark.parametrize("body,field", [
    ({"category": "leak"}, "contact_name"),
    ({"category": "nope", "contact_name": "x"}, "category"),
    ({"category": "general_enquiry", "contact_name": "x", "contact_phone": "13912345678",
      "area": "north", "street": "a", "house_number": "1", "landmark": "b"}, "answer"),
    ({"category": "leak", "contact_name": "x", "contact_phone": "12", "area": "north",
      "street": "a", "house_number": "1", "landmark": "b"}, "contact_phone"),
    ({"category": "leak", "area": "mars"}, "area"),
])
def test_bad_create_is_refused_and_writes_nothing(client, session, world, bearer, body,
                                                   field):
    response = client.post("/api/v1/workorders", json=body, headers=bearer(world.agent))
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_duplicates_in_last_48_hours(client, session, world, create, bearer, clock):
    first = create()
    create(category="water_quality", contact_phone="+8613700000009")
    agent = bearer(world.agent)
    same_area = client.get("/api/v1/workorders/duplicates?category=leak&area=north",
                           headers=agent).json
    assert [o["number"] for o in same_area] == [first.number]
    by_phone = client.get("/api/v1/workorders/duplicates?phone=13700000009",
                          headers=agent).json
    assert [o["category"] for o in by_phone] == ["water_quality"]
    clock.advance(hours=49)
    assert client.get("/api/v1/workorders/duplicates?category=leak&area=north",
                      headers=agent).json == []


def test_openapi_documents_workorders(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/workorders/{number}/actions" in spec["paths"]
