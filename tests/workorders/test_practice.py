"""Through the API with the fixed clock (Tue 2026-11-24 10:00 Shanghai): same-day small
repairs (R16), special enquiries (R19), the stages of a connection application (R24) and
acceptance tiers by priority (R14)."""

from __future__ import annotations

from sqlalchemy import func, select

from sla.models import SlaPolicy
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.workorders.api_client import ORDER, clocks_of, local
from workorders.models import WorkOrder


# R16 ------------------------------------------------------------------------------------

def test_r16_agent_marks_a_leak_small_repair_due_at_midnight(api, session, world):
    order = api.create(world.agent, category="leak", small_repair=True)
    assert order["small_repair"] is True
    rows = clocks_of(session, order["number"])
    # The 5-working-day resolve clock gives way to 24:00 of the opening day.
    assert rows[("resolve", "running")].due_at == local(2026, 11, 25, 0, 0)
    assert rows[("resolve", "running")].rule == "R16"
    assert rows[("resolve", "cancelled")].due_at == local(2026, 12, 2, 0, 0)
    events = api.get(world.agent, f"/workorders/{order['number']}/events").json
    assert events[0]["payload"]["small_repair"] is True


def test_r16_the_crew_marks_it_on_the_opening_day_only(api, session, world, clock):
    order = api.create(world.agent, category="leak")
    assert "mark_small_repair" in api.get(world.fixer, f"/workorders/{order['number']}").json[
        "actions"]
    clock.advance(hours=5)  # 15:00, still the opening day
    marked = api.act(world.fixer, order["number"], "mark_small_repair")
    assert marked.status_code == 200, marked.json
    assert marked.json["small_repair"] is True and "mark_small_repair" not in marked.json["actions"]
    assert clocks_of(session, order["number"])[("resolve", "running")].due_at == \
        local(2026, 11, 25, 0, 0)
    again = api.act(world.fixer, order["number"], "mark_small_repair")
    assert again.status_code == 409
    late = api.create(world.agent, category="leak", contact_phone="13700000001")
    clock.advance(hours=9)  # 00:00 the next day: the opening day is over
    refused = api.act(world.fixer, late["number"], "mark_small_repair")
    assert refused.status_code == 422 and "small_repair" in refused.json["error"]["fields"]
    assert clocks_of(session, late["number"])[("resolve", "running")].due_at == \
        local(2026, 12, 2, 0, 0)


def test_r16_only_a_leak_is_a_small_repair(api, session, world):
    before = session.scalar(select(func.count()).select_from(WorkOrder))
    refused = api.post(world.agent, "/workorders", {**ORDER, "category": "billing_dispute",
                                                    "small_repair": True})
    assert refused.status_code == 422 and "small_repair" in refused.json["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == before
    billing = api.create(world.agent, category="billing_dispute")
    refused = api.act(world.agent, billing["number"], "mark_small_repair")
    assert refused.status_code == 422 and "category" in refused.json["error"]["fields"]


# R19 ------------------------------------------------------------------------------------

def test_r19_supervisor_marks_an_enquiry_special_three_working_days(api, session, world,
                                                                    clock):
    order = api.create(world.agent, category="enquiry")
    number = order["number"]
    assert clocks_of(session, number)[("reply", "running")].due_at == local(2026, 11, 25, 10, 0)
    assert api.act(world.agent, number, "mark_special", reason="需查档").status_code == 403
    assert api.act(world.supervisor, number, "mark_special").status_code == 422  # reason
    clock.advance(hours=3)
    marked = api.act(world.supervisor, number, "mark_special", reason="需调取五年用水档案")
    assert marked.status_code == 200, marked.json
    assert marked.json["special"] is True
    # 3 working days after the opening day (Tue): Wed, Thu, Fri → 24:00 Fri.
    reply = clocks_of(session, number)[("reply", "running")]
    assert reply.due_at == local(2026, 11, 28, 0, 0) and reply.rule == "R19"
    assert reply.started_at == local(2026, 11, 24, 10, 0)


def test_r19_special_only_before_the_24_hour_deadline_and_only_enquiries(api, world, clock):
    order = api.create(world.agent, category="enquiry")
    leak = api.create(world.agent, category="leak", contact_phone="13700000001")
    refused = api.act(world.supervisor, leak["number"], "mark_special", reason="x")
    assert refused.status_code == 422 and "category" in refused.json["error"]["fields"]
    clock.advance(hours=24, minutes=1)
    late = api.act(world.supervisor, order["number"], "mark_special", reason="太晚了")
    assert late.status_code == 422 and "special" in late.json["error"]["fields"]
    assert api.get(world.supervisor, f"/workorders/{order['number']}").json["special"] is False


# R24 ------------------------------------------------------------------------------------

def test_r24_connection_stages_each_start_when_the_one_before_completes(api, session, world,
                                                                        clock):
    order = api.create(world.agent, category="connection")
    number = order["number"]
    assert order["stage"] == "survey"
    rows = clocks_of(session, number)
    assert rows[("survey", "running")].due_at == local(2026, 12, 2, 0, 0)  # 5 WD
    # R24 times the application by its stages, not by R20's 5-day answer clock.
    assert not any(kind == "resolve" for kind, _ in rows)
    assert api.act(world.clerk, number, "accept").status_code == 200
    wrong = api.act(world.clerk, number, "complete_stage", stage="design")
    assert wrong.status_code == 409 and wrong.json["error"]["code"] == "wrong_stage"
    clock.advance(days=2, hours=5)  # Thu 26 Nov 15:00
    done = api.act(world.clerk, number, "complete_stage", stage="survey")
    assert done.status_code == 200 and done.json["stage"] == "design"
    rows = clocks_of(session, number)
    assert rows[("survey", "met")].met_at == local(2026, 11, 26, 15, 0)
    assert rows[("design", "running")].due_at == local(2026, 12, 2, 0, 0)  # Fri, Mon, Tue
    clock.advance(days=4)  # Mon 30 Nov
    assert api.act(world.clerk, number, "complete_stage", stage="design").json[
        "stage"] == "construction"
    # 5 WD after Mon 30 Nov: 1, 2, 3, 4, 7 Dec.
    assert clocks_of(session, number)[("construction", "running")].due_at == \
        local(2026, 12, 8, 0, 0)
    final = api.act(world.clerk, number, "complete_stage", stage="construction")
    assert final.status_code == 200 and final.json["stage"] is None
    events = api.get(world.clerk, f"/workorders/{number}/events").json
    assert [e["payload"]["stage"] for e in events if e["action"] == "complete_stage"] == [
        "survey", "design", "construction"]
    resolved = api.act(world.clerk, number, "resolve", result="已通水")
    assert resolved.status_code == 200


def test_r24_only_connections_have_stages(api, world):
    leak = api.create(world.agent, category="leak")
    api.act(world.fixer, leak["number"], "accept")
    refused = api.act(world.fixer, leak["number"], "complete_stage", stage="survey")
    assert refused.status_code == 422 and "category" in refused.json["error"]["fields"]
    bad = api.act(world.fixer, leak["number"], "complete_stage", stage="painting")
    assert bad.status_code == 422 and "stage" in bad.json["error"]["fields"]


# R14 tiers ------------------------------------------------------------------------------

def test_r14_admin_shortens_the_acceptance_limit_of_urgent_orders(api, client, session, world,
                                                                  login_as):
    admin = make_user(session, "admin", username="root")
    session.commit()
    urgent = session.scalar(select(SlaPolicy).where(SlaPolicy.kind == "accept",
                                                    SlaPolicy.priority == "urgent"))
    assert (urgent.limit_minutes, urgent.active) == (20, False)  # 20 minutes stays default
    login_as(admin)
    token = csrf_token_from(client.get(f"/sla/policies/{urgent.id}").get_data(as_text=True))
    longer = client.post(f"/sla/policies/{urgent.id}", data={
        "csrf_token": token, "limit_minutes": "25", "warn_ratio": "0.8", "active": "y"})
    assert longer.status_code == 422  # R14: a tier may only shorten the limit
    saved = client.post(f"/sla/policies/{urgent.id}", data={
        "csrf_token": token, "limit_minutes": "15", "warn_ratio": "0.8", "active": "y"})
    assert saved.status_code == 302
    assert "紧急" in client.get("/sla/policies").get_data(as_text=True)  # the urgent tier
    leak = api.create(world.agent, category="leak")  # urgent
    billing = api.create(world.agent, category="billing_dispute", contact_phone="13700000002")
    assert leak["priority"] == "urgent" and billing["priority"] == "normal"
    now = local(2026, 11, 24, 10, 0)
    accept = clocks_of(session, leak["number"])[("accept", "running")]
    assert accept.due_at == now.replace(minute=15) and accept.rule == "R14"
    assert clocks_of(session, billing["number"])[("accept", "running")].due_at == \
        now.replace(minute=20)


def test_r24_console_completes_the_running_stage(session, world, create, act, login_as,
                                                 client):
    import re

    order = create(category="connection")
    act(world.clerk, order, "accept")
    login_as(world.clerk)
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert 'name="stage" value="survey"' in detail
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "complete_stage", "stage": "survey",
        "version": re.search(r'name="version" value="(\d+)"', detail).group(1)})
    assert response.status_code == 302
    page = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert 'name="stage" value="design"' in page
    assert ("design", "running") in clocks_of(session, order.number)
