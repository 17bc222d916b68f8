"""R31 through the API with the fixed clock (Tue 2026-11-24 10:00 Shanghai): home visits by
appointment, the customer's SMS, 2 hours' notice when the crew cannot come, rebooking
recorded."""

from __future__ import annotations

import re

from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.notifications.models import Notification
from hotline.telephony.models import OutboxMessage
from sla.jobs import watch_deadlines
from tests.workorders.api_client import clocks_of, local

CUSTOMER = "+8613912345678"


def sms_to_customer(session):
    session.expire_all()
    return [m.body for m in session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_number == CUSTOMER).order_by(OutboxMessage.id))]


def window(start_hour, end_hour, day=24):
    return {"window_start": local(2026, 11, day, start_hour).isoformat(),
            "window_end": local(2026, 11, day, end_hour).isoformat()}


def test_r31_book_remind_and_keep_a_visit(api, session, world, clock):
    number = api.create(world.agent, category="leak")["number"]
    api.act(world.fixer, number, "accept")
    booked = api.act(world.fixer, number, "book_visit", **window(14, 16), text="带水表")
    assert booked.status_code == 200, booked.json
    visit = {k: datetime.fromisoformat(v) for k, v in booked.json["visit"].items()}
    assert visit == {"start": local(2026, 11, 24, 14), "end": local(2026, 11, 24, 16)}
    assert "book_visit" not in booked.json["actions"] and "rebook_visit" in booked.json["actions"]
    assert any("已预约上门" in body and "11-24 14:00–16:00" in body
               for body in sms_to_customer(session))
    visit = clocks_of(session, number)[("visit", "running")]
    assert visit.due_at == local(2026, 11, 24, 16) and visit.rule == "R31"
    assert api.act(world.fixer, number, "book_visit", **window(17, 18)).status_code == 409
    clock.advance(hours=4, minutes=30)  # 14:30, inside the window
    arrived = api.act(world.fixer, number, "arrive")
    assert arrived.status_code == 200 and arrived.json["visit"] is None
    kept = clocks_of(session, number)[("visit", "met")]
    assert kept.met_at == local(2026, 11, 24, 14, 30) and kept.breached_at is None


def test_r31_window_must_be_a_future_period(api, world):
    number = api.create(world.agent, category="leak")["number"]
    backwards = api.act(world.agent, number, "book_visit", **window(16, 14))
    assert backwards.status_code == 422 and "window_end" in backwards.json["error"]["fields"]
    past = api.act(world.agent, number, "book_visit", **window(8, 9))
    assert past.status_code == 422 and "window_start" in past.json["error"]["fields"]
    missing = api.act(world.agent, number, "book_visit",
                      window_start=local(2026, 11, 24, 14).isoformat())
    assert missing.status_code == 422
    too_long = api.act(world.agent, number, "book_visit",
                       window_start=local(2026, 11, 24, 14).isoformat(),
                       window_end=local(2026, 11, 25, 14).isoformat())
    assert too_long.status_code == 422
    assert api.get(world.agent, f"/workorders/{number}").json["visit"] is None


def test_r31_crew_rebooks_in_time_then_calls_off_too_late(api, session, world, clock):
    number = api.create(world.agent, category="leak")["number"]
    api.act(world.fixer, number, "accept")
    api.act(world.agent, number, "book_visit", **window(14, 16))  # the agent books it
    clock.advance(hours=1)  # 11:00: 3 hours before the window
    moved = api.act(world.fixer, number, "rebook_visit", **window(16, 18),
                    requested_by="crew", reason="抢修车辆调度")
    assert moved.status_code == 200, moved.json
    rows = clocks_of(session, number)
    assert rows[("visit", "cancelled")].breached_at is None
    assert rows[("visit", "running")].due_at == local(2026, 11, 24, 18)
    assert any("上门时间改为 11-24 16:00–18:00" in body for body in sms_to_customer(session))
    clock.advance(hours=3, minutes=30)  # 14:30: 1.5 hours before the 16:00 window
    late = api.act(world.fixer, number, "cancel_visit", requested_by="crew",
                   reason="前一处抢修未完")
    assert late.status_code == 200 and late.json["visit"] is None
    breached = clocks_of(session, number)[("visit", "met")]
    assert breached.breached_at == local(2026, 11, 24, 14)  # the notice was due at 14:00
    assert session.scalar(select(Notification).where(
        Notification.recipient_role == "supervisor", Notification.title.contains("R31")))
    assert any("上门已取消" in body for body in sms_to_customer(session))
    events = api.get(world.agent, f"/workorders/{number}/events").json
    visits = [e for e in events if e["action"] in ("book_visit", "rebook_visit",
                                                   "cancel_visit")]
    assert [e["action"] for e in visits] == ["book_visit", "rebook_visit", "cancel_visit"]
    moved_from = [datetime.fromisoformat(t) for t in visits[1]["payload"]["from"]]
    assert moved_from == [local(2026, 11, 24, 14), local(2026, 11, 24, 16)]
    assert datetime.fromisoformat(visits[1]["payload"]["to"][0]) == local(2026, 11, 24, 16)
    assert [v["payload"].get("late_notice") for v in visits] == [None, False, True]
    assert visits[1]["payload"]["requested_by"] == "crew"


def test_r31_a_customer_moving_the_visit_is_never_late(api, session, world, clock):
    number = api.create(world.agent, category="leak")["number"]
    api.act(world.agent, number, "book_visit", **window(11, 12))
    clock.advance(minutes=30)  # 10:30, 30 minutes before the window
    moved = api.act(world.agent, number, "rebook_visit", **window(15, 17),
                    requested_by="customer", reason="客户临时外出")
    assert moved.status_code == 200
    rows = clocks_of(session, number)
    assert rows[("visit", "cancelled")].breached_at is None
    bad = api.act(world.agent, number, "cancel_visit", requested_by="nobody", reason="x")
    assert bad.status_code == 422


def test_r31_no_show_without_notice_breaches_when_the_window_ends(api, app, session, world,
                                                                  clock):
    number = api.create(world.agent, category="leak")["number"]
    api.act(world.fixer, number, "accept")
    api.act(world.fixer, number, "book_visit", **window(14, 16))
    watch_deadlines(session, app, local(2026, 11, 24, 15, 59))
    assert clocks_of(session, number)[("visit", "running")].breached_at is None
    watch_deadlines(session, app, local(2026, 11, 24, 16) + timedelta(seconds=1))
    session.commit()
    assert clocks_of(session, number)[("visit", "running")].breached_at == \
        local(2026, 11, 24, 16)


def test_r31_console_books_a_visit_in_local_time(session, world, create, login_as, client):
    import re

    from tests.conftest import csrf_token_from

    order = create()
    login_as(world.fixer)
    detail = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert 'value="book_visit"' in detail and 'name="window_start"' in detail
    version = re.search(r'name="version" value="(\d+)"', detail).group(1)
    response = client.post(f"/workorders/{order.number}/act", data={
        "csrf_token": csrf_token_from(detail), "action": "book_visit", "version": version,
        "window_start": "2026-11-24T14:00", "window_end": "2026-11-24T16:00"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)  # local times are <time> elements with the zone
    assert "2026-11-24 14:00 – 2026-11-24 16:00" in text and 'value="rebook_visit"' in page
    assert clocks_of(session, order.number)[("visit", "running")].due_at == \
        local(2026, 11, 24, 16)
