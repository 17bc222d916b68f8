"""Complaints (issue 14 items 1, 3, 11): a complaint about a unit or its staff goes to that
unit with the customer-service centre overseeing (R10); the staff member it is about can
neither read nor act on it, anywhere (R28); an extension asked for before the deadline may be
approved after it (R15). Through the API and the console, with the fixed clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.notifications.models import Notification
from hotline.notifications.services import for_user
from hotline.telephony.outbox import OutboxMessage
from sla import clocks
from sla.jobs import watch_deadlines
from tests.factories import make_token
from workorders.models import WorkOrder

COMPLAINT = {"category": "complaint", "contact_name": "李四", "contact_phone": "13700000001",
             "area": "north", "street": "人民路", "house_number": "8号",
             "landmark": "人民公园东门", "description": "抢修工态度恶劣"}


@pytest.fixture
def bearer(session, clock):
    def _bearer(user):
        token = make_token(session, user, clock.now())
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


def _act(client, headers, number, **body):
    current = client.get(f"/api/v1/workorders/{number}", headers=headers)
    body.setdefault("version", current.json["version"] if current.status_code == 200 else 1)
    return client.post(f"/api/v1/workorders/{number}/actions", json=body, headers=headers)


def test_complaint_about_a_unit_goes_to_it_with_customer_service_overseeing(
        client, session, world, bearer):  # R10
    agent = bearer(world.agent)
    created = client.post("/api/v1/workorders", headers=agent,
                          json={**COMPLAINT, "subject_department": "billing-north",
                                "description": "抄表延误两个月"})
    assert created.status_code == 201, created.json
    order = created.json
    assert order["department"] == "billing-north" and order["overseer"] == "cs"
    assert order["subject_department"] == "billing-north"
    assert order["routed_by"] == "R10 (responsible unit)"
    # Only a complaint names a unit; a leak is routed by its area.
    leak = client.post("/api/v1/workorders", headers=agent,
                       json={**COMPLAINT, "category": "leak",
                             "subject_department": "billing-north"})
    assert leak.status_code == 422 and "subject_department_id" in leak.json["error"]["fields"]
    # Without a unit or staff member named, the customer-service centre handles it itself.
    general = client.post("/api/v1/workorders", headers=agent,
                          json={**COMPLAINT, "contact_phone": "13700000002"}).json
    assert general["department"] == "cs" and general["overseer"] is None


def test_complaint_about_staff_goes_to_their_unit_and_the_result_comes_back(
        client, session, world, bearer, clock, login_as):  # R10, R23
    agent, clerk, fixer2 = bearer(world.agent), bearer(world.clerk), bearer(world.fixer2)
    order = client.post("/api/v1/workorders", headers=agent,
                        json={**COMPLAINT, "subject_user": "fixer"}).json
    number = order["number"]
    assert order["department"] == "maint-north" and order["overseer"] == "cs"
    assert order["subject_user"] == "fixer"
    # The overseeing centre sees it, in its own list, and may chase and add notes, not work it.
    seen = client.get(f"/api/v1/workorders/{number}", headers=clerk)
    assert seen.status_code == 200 and set(seen.json["actions"]) == {"note", "chase"}
    overseen = client.get("/api/v1/workorders?overseen=true", headers=clerk).json
    assert [o["number"] for o in overseen["items"]] == [number]
    assert client.get("/api/v1/workorders", headers=clerk).json["total"] == 0  # its queue
    login_as(world.clerk)
    assert number in client.get("/workorders/?view=overseen").get_data(as_text=True)
    assert number not in client.get("/workorders/?view=queue").get_data(as_text=True)
    assert _act(client, clerk, number, action="accept").status_code == 403
    assert session.scalar(select(Notification).where(
        Notification.department_id == world.cs.id, Notification.title.contains(number)))
    # A colleague of the staff member handles it; the result goes to the customer (SMS), the
    # hotline (the first-contact owner, to ask about satisfaction) and the overseer.
    assert _act(client, fixer2, number, action="accept").status_code == 200
    assert _act(client, clerk, number, action="chase", text="请尽快回复").status_code == 200
    resolved = _act(client, fixer2, number, action="resolve", result="已当面道歉并批评教育")
    assert resolved.status_code == 200, resolved.json
    sms = [m for m in session.scalars(select(OutboxMessage))
           if m.to_number == "+8613700000001" and "已当面道歉" in m.body]
    assert len(sms) == 1
    for recipient in (world.agent, world.clerk):
        assert any(number in n.title and n.body == "已当面道歉并批评教育"
                   for n in for_user(session, recipient))
    follow = _act(client, agent, number, action="follow_up", outcome="satisfied",
                  attitude=5, quality=5, timeliness=5, result_score=5)
    assert follow.json["status"] == "closed" and follow.json["satisfaction"] == "satisfied"


def test_the_staff_member_a_complaint_is_about_cannot_read_it_anywhere(
        app, client, session, world, bearer, login_as, clock):  # R28
    order = client.post("/api/v1/workorders", headers=bearer(world.agent),
                        json={**COMPLAINT, "subject_user": "fixer",
                              "account_number": "880001"}).json
    number = order["number"]
    fixer, fixer2 = bearer(world.fixer), bearer(world.fixer2)
    # API: detail, events, actions and lists.
    for response in (client.get(f"/api/v1/workorders/{number}", headers=fixer),
                     client.get(f"/api/v1/workorders/{number}/events", headers=fixer),
                     _act(client, fixer, number, action="accept", version=order["version"])):
        assert response.status_code == 404
        assert "李四" not in response.get_data(as_text=True)
    assert client.get("/api/v1/workorders", headers=fixer).json["total"] == 0
    assert client.get("/api/v1/workorders", headers=fixer2).json["total"] == 1
    # Notifications: the department's reach the others one by one, never the one named.
    assert not [n for n in for_user(session, world.fixer) if number in n.title]
    assert [n for n in for_user(session, world.fixer2) if number in n.title]
    # The watch: the missed accept clock reminds the department, again without them.
    clock.advance(minutes=21)
    watch_deadlines(session, app, clock.now())
    session.commit()
    assert not [n for n in for_user(session, world.fixer) if number in n.title]
    assert [n for n in for_user(session, world.fixer2) if "督办" not in n.title
            and number in n.title and n.kind in ("sla_breach", "sla_accept_reminder")]
    # Console: list, detail, export.
    login_as(world.fixer)
    assert number not in client.get("/workorders/").get_data(as_text=True)
    assert client.get(f"/workorders/{number}").status_code == 404
    assert number not in client.get("/workorders/export.csv?view=queue").get_data(as_text=True)


def test_a_complaint_about_an_agent_leaves_their_household_files_and_desk(
        client, session, world, bearer, login_as):  # R28
    number = client.post("/api/v1/workorders", headers=bearer(world.agent),
                         json={**COMPLAINT, "subject_user": "agent2",
                               "account_number": "880001"}).json["number"]
    agent2 = bearer(world.agent2)
    household = client.get("/api/v1/customers/880001", headers=agent2).json
    assert number not in [o["number"] for o in household["orders"]]
    assert number in [o["number"] for o in client.get(
        "/api/v1/customers/880001", headers=bearer(world.agent)).json["orders"]]
    dupes = client.get("/api/v1/workorders/duplicates?account=880001", headers=agent2).json
    assert number not in [o["number"] for o in dupes]
    login_as(world.agent2)
    assert number not in client.get("/customers/880001").get_data(as_text=True)
    assert number not in client.get("/workorders/?view=all").get_data(as_text=True)
    assert number not in client.get("/workorders/new?from=%2B8613912345678").get_data(
        as_text=True)


def test_extension_asked_before_the_deadline_is_approved_after_it(
        app, client, session, world, bearer, clock):  # R15
    clerk, boss = bearer(world.clerk), bearer(world.supervisor)
    number = client.post("/api/v1/workorders", headers=bearer(world.agent),
                         json={**COMPLAINT, "description": "安装质量差"}).json["number"]
    assert _act(client, clerk, number, action="accept").status_code == 200
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    (resolve,) = clocks.active_clocks(session, order.subject, kinds=["resolve"])
    due = resolve.due_at
    clock.set(due - timedelta(hours=2))  # asked for in time ...
    new_due = due + timedelta(days=3)
    asked = _act(client, clerk, number, action="request_extension", reason="需厂家配合",
                 kind="resolve", new_due=new_due.isoformat())
    assert asked.status_code == 200, asked.json
    clock.set(due + timedelta(hours=3))  # ... approved after the deadline, once breached
    watch_deadlines(session, app, clock.now())
    session.commit()
    approved = _act(client, boss, number, action="approve_extension")
    assert approved.status_code == 200, approved.json
    session.expire_all()
    (resolve,) = clocks.active_clocks(session, order.subject, kinds=["resolve"])
    assert resolve.due_at == new_due and resolve.breached_at is None
    assert approved.json["extension_requested"] is None
    # Asked for after the deadline: still refused, and nothing changes.
    clock.set(new_due + timedelta(minutes=1))
    late = _act(client, clerk, number, action="request_extension", reason="还要等",
                kind="resolve", new_due=(new_due + timedelta(days=2)).isoformat())
    assert late.status_code == 422 and "R15" in late.json["error"]["message"]
    session.expire_all()
    assert session.get(WorkOrder, order.id).extension_due is None
