"""R13, repeated complaints (重复投诉, issue 14 item 2): the same caller, account or address
reporting the same matter again while the earlier order is open, or within 30 days of its
closing (HOTLINE_REPEAT_COMPLAINT_DAYS), is linked to it, marked, escalated to the manager
by the second working day and counted in the reports. Through the API and the console."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.notifications.models import Notification
from sla import clocks
from sla.jobs import watch_deadlines
from tests.factories import make_token
from workorders import stats
from workorders.models import WorkOrder

# Tue 24 Nov 2026 10:00 local + 2 working days → end of Thu 26 Nov (16:00 UTC).
ESCALATION_DUE = "2026-11-26T16:00:00+00:00"
BASE = {"category": "leak", "contact_name": "赵六", "contact_phone": "13700000001",
        "area": "north", "street": "中山路", "house_number": "5号", "landmark": "超市旁",
        "description": "路面冒水"}


@pytest.fixture
def bearer(session, clock):
    def _bearer(user):
        token = make_token(session, user, clock.now())
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


@pytest.fixture
def post(client, world, bearer):
    agent = bearer(world.agent)

    def _post(**fields):
        response = client.post("/api/v1/workorders", json={**BASE, **fields}, headers=agent)
        assert response.status_code == 201, response.json
        return response.json

    return _post


def _order(session, number) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def _close(act, world, order, staff):
    act(staff, order, "accept")
    act(staff, order, "resolve", result="已处理")
    act(world.agent, order, "follow_up", outcome="satisfied", attitude=5, quality=5,
        timeliness=5, result_score=5)


def test_the_same_caller_again_while_the_order_is_open(
        client, session, world, post, bearer, clock):  # R13
    first = post()
    clock.advance(hours=3)
    again = post(street="解放路", house_number="9号", description="还在漏")
    assert again["repeat_of"] == first["number"]
    boss = bearer(world.supervisor)
    events = client.get(f"/api/v1/workorders/{again['number']}/events", headers=boss).json
    assert {"rule": "R13", "repeat_of": first["number"]} in [e["payload"] for e in events]
    earlier = client.get(f"/api/v1/workorders/{first['number']}/events", headers=boss).json
    assert any(e["action"] == "repeated_by" and e["payload"]["order"] == again["number"]
               for e in earlier)
    order = _order(session, again["number"])
    (escalation,) = clocks.active_clocks(session, order.subject, kinds=["escalate_repeat"])
    assert escalation.due_at.isoformat() == ESCALATION_DUE and escalation.rule == "R13"
    assert session.scalar(select(Notification).where(
        Notification.recipient_role == "supervisor", Notification.title.contains("重复投诉"),
        Notification.title.contains(again["number"])))
    # Another matter from the same caller is not a repeat; nor a report merged at once.
    assert post(category="water_quality")["repeat_of"] is None
    assert post(master_number=first["number"])["repeat_of"] is None
    listed = client.get("/api/v1/workorders?repeated=true", headers=boss).json
    assert [o["number"] for o in listed["items"]] == [again["number"]]


def test_same_account_or_address_and_thirty_days_after_closing(
        session, world, post, act, clock):  # R13
    by_address = post(category="billing_dispute", contact_phone="13700000011")
    stale = post(category="water_quality", contact_phone="13700000012",
                 street="东风路", house_number="1号")
    by_account = post(category="complaint", contact_phone="13700000013",
                      account_number="880001", street="东风路", house_number="2号")
    _close(act, world, _order(session, by_address["number"]), world.biller)
    _close(act, world, _order(session, stale["number"]), world.chemist)
    # Another phone, same account: a repeat of the open complaint.
    assert post(category="complaint", contact_phone="13700000014", account_number="880001",
                street="东风路", house_number="3号")["repeat_of"] == by_account["number"]
    clock.advance(days=29)
    # Another phone, no account, same address, 29 days after closing: a repeat.
    assert post(category="billing_dispute", contact_phone="13700000021")["repeat_of"] == \
        by_address["number"]
    clock.advance(days=2)
    # 31 days after closing: a new matter.
    assert post(category="water_quality", contact_phone="13700000012", street="东风路",
                house_number="1号")["repeat_of"] is None


class TestConfiguredWindow:
    @pytest.fixture
    def app_config(self):
        return {"HOTLINE_REPEAT_COMPLAINT_DAYS": 7}

    def test_window_comes_from_the_setting(self, app, session, world, post, act, clock):
        assert app.config["HOTLINE_REPEAT_COMPLAINT_DAYS"] == 7
        first = post(category="low_pressure")
        _close(act, world, _order(session, first["number"]), world.fixer)
        clock.advance(days=6)
        assert post(category="low_pressure")["repeat_of"] == first["number"]
        second = _order(session, first["number"])  # noqa: F841 - the first stays closed
        clock.advance(days=2)  # 8 days after the first closed, but the repeat is open
        third = post(category="low_pressure", contact_phone="13700000099",
                     street="新华路", house_number="7号")
        assert third["repeat_of"] is None


def test_the_manager_reviews_by_the_second_working_day(
        app, client, session, world, post, bearer, clock):  # R13
    first = post()
    again = post(description="第二次来电")
    number = again["number"]
    boss, fixer, agent = bearer(world.supervisor), bearer(world.fixer), bearer(world.agent)

    def review(headers, **body):
        version = client.get(f"/api/v1/workorders/{number}", headers=boss).json["version"]
        return client.post(f"/api/v1/workorders/{number}/actions", headers=headers,
                           json={"action": "review_repeat", "version": version, **body})

    assert "review_repeat" in client.get(f"/api/v1/workorders/{number}",
                                         headers=boss).json["actions"]
    assert review(fixer, text="看过").status_code == 403
    assert review(agent, text="看过").status_code == 403
    assert review(boss).status_code == 422  # the manager says what was done
    done = review(boss, text="已约谈抢修所负责人")
    assert done.status_code == 200 and done.json["repeat_reviewed_at"]
    assert "review_repeat" not in done.json["actions"]
    assert review(boss, text="再看").status_code == 409
    order = _order(session, number)
    (met,) = [c for c in clocks.clocks_of(session, order.subject)
              if c.kind == "escalate_repeat"]
    assert met.state == "met" and met.on_time
    # Not reviewed in time: the watch escalates in writing (督办) to the supervisors.
    late = post(description="第三次来电")
    assert late["repeat_of"] == number
    clock.set(met.due_at + timedelta(minutes=1))
    watch_deadlines(session, app, clock.now())
    session.commit()
    assert session.scalar(select(Notification).where(
        Notification.recipient_role == "supervisor", Notification.kind == "sla_breach",
        Notification.title.contains(late["number"])))
    assert first["repeat_of"] is None


def test_repeated_complaints_are_counted_in_the_report(
        session, world, post, login_as, clock):  # R13
    start = clock.now() - timedelta(hours=1)
    post()
    post()
    post(category="complaint", contact_phone="13700000031", street="北京路",
         house_number="1号")
    post(category="complaint", contact_phone="13700000031", street="北京路",
         house_number="1号")
    figures = stats.order_figures(session, start, clock.now() + timedelta(hours=1))
    assert figures.repeat_complaints == 2
    report = login_as(world.supervisor).get("/sla/report.json?month=2026-11").get_json()
    assert report["orders"]["repeated_complaints"] == 2
