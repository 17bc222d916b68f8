"""P3 through the API with the fixed clock: a department returns an order with a reason within
2 working days of dispatch; the hotline may dispute a return and a supervisor reviews it."""

from __future__ import annotations

from sqlalchemy import select

from hotline.notifications.models import Notification
from tests.workorders.api_client import clocks_of, local


def test_p3_return_only_within_two_working_days_of_dispatch(api, session, world, clock):
    first = api.create(world.agent, category="leak")  # dispatched Tue 24 Nov 10:00
    second = api.create(world.agent, category="leak", contact_phone="13700000001")
    third = api.create(world.agent, category="leak", contact_phone="13700000002")
    assert api.act(world.fixer, first["number"], "return").status_code == 422  # no reason
    clock.advance(days=2, hours=13, minutes=59)  # Thu 26 Nov 23:59, the 2nd working day
    ok = api.act(world.fixer, first["number"], "return", reason="不属本所辖区")
    assert ok.status_code == 200 and ok.json["status"] == "returned"
    clock.advance(minutes=2)  # Fri 00:01: the window has closed
    late = api.act(world.fixer, second["number"], "return", reason="不属本所辖区")
    assert late.status_code == 422 and "P3" in late.json["error"]["message"]
    assert api.get(world.fixer, f"/workorders/{second['number']}").json["status"] == "dispatched"
    # A supervisor returning on the department's behalf is not bound by it.
    assert api.act(world.supervisor, third["number"], "return",
                   reason="调度错误").status_code == 200


def test_p3_disputed_return_overruled_goes_back_to_the_department(api, session, world, clock):
    order = api.create(world.agent, category="leak")
    number = order["number"]
    api.act(world.fixer, number, "return", reason="非管网问题")
    refused = api.act(world.agent, number, "review_return", decision="overruled", reason="x")
    assert refused.status_code == 403
    assert api.act(world.supervisor, number, "review_return", decision="overruled",
                   reason="x").status_code == 409  # nothing disputed yet
    disputed = api.act(world.agent, number, "dispute_return", reason="现场确认是管网漏水")
    assert disputed.status_code == 200 and disputed.json["return_review"] == "disputed"
    assert session.scalar(select(Notification).where(
        Notification.recipient_role == "supervisor", Notification.title.contains(number)))
    # While the supervisor reviews, the order is not dispatched elsewhere.
    assert "dispatch" not in disputed.json["actions"]
    assert api.act(world.agent, number, "dispatch", department="maint-city").status_code == 409
    bad = api.act(world.supervisor, number, "review_return", decision="maybe", reason="x")
    assert bad.status_code == 422
    clock.advance(hours=1)
    overruled = api.act(world.supervisor, number, "review_return", decision="overruled",
                        reason="确属管网，退回原单位办理")
    assert overruled.status_code == 200, overruled.json
    body = overruled.json
    assert (body["status"], body["department"], body["return_review"]) == (
        "dispatched", "maint-north", "overruled")
    accept = clocks_of(session, number)[("accept", "running")]
    assert accept.started_at == local(2026, 11, 24, 11, 0)
    events = api.get(world.agent, f"/workorders/{number}/events").json
    review = next(e for e in events if e["action"] == "review_return")
    assert review["payload"] == {"decision": "overruled", "rule": "P3"}


def test_p3_upheld_return_stays_for_the_hotline_to_dispatch(api, session, world):
    order = api.create(world.agent, category="leak")
    number = order["number"]
    api.act(world.fixer, number, "return", reason="属市政管网")
    api.act(world.agent, number, "dispute_return", reason="请复核")
    upheld = api.act(world.supervisor, number, "review_return", decision="upheld",
                     reason="确属市政")
    assert upheld.status_code == 200
    assert (upheld.json["status"], upheld.json["return_review"]) == ("returned", "upheld")
    assert session.scalar(select(Notification).where(
        Notification.recipient_user_id == world.agent.id, Notification.title.contains(number),
        Notification.title.contains("P3")))
    moved = api.act(world.agent, number, "dispatch", department="maint-city")
    assert moved.status_code == 200 and moved.json["department"] == "maint-city"
