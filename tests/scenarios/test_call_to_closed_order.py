"""A real call, from Twilio's first webhook to the closed work order: the IVR, the priority
queue, an agent answering inside 12 s (R1), the screen-pop with the household file (R30),
the order logged from the call and routed to the area's crew (R7, R20), the SMS, the
department accepting within 20 minutes (R14) and arriving on site (R16), resolving, the
follow-up call (R23) and closure. Then the same with an unhappy customer (R12)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from hotline.telephony.delivery import deliver_due
from hotline.telephony.models import OutboxMessage
from ivr.calls import set_availability
from ivr.models import Call
from sla.jobs import watch_deadlines
from sla.models import Deadline
from tests.conftest import csrf_token_from, login
from tests.factories import make_area, make_customer, make_department, make_user
from tests.ivr.conftest import check_twiml
from workorders.models import WorkOrder, WorkOrderEvent


CALLER = "+8613912345678"


@pytest.fixture
def utility(session, clock):
    north = make_area(session, code="north", kind="urban", name_zh="城北区", name_en="North")
    crew = make_department(session, "maintenance", north, code="maint-north")
    make_department(session, "maintenance", None, code="maint-city")
    make_department(session, "customer_service", None, code="cs")
    agent = make_user(session, "agent", username="wang")
    fixer = make_user(session, "staff", crew, username="fixer")
    customer = make_customer(session, area=north, phones=(CALLER,), account_number="880001",
                             name="王小明", street="解放路", house_number="12号",
                             landmark="邮局对面")
    set_availability(session, agent, True, now=clock.now())
    session.commit()
    return SimpleNamespace(north=north, crew=crew, agent=agent, fixer=fixer,
                           customer=customer)


def _act(client, number: str, session, **form) -> None:
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    page = client.get(f"/workorders/{number}")
    assert page.status_code == 200
    response = client.post(f"/workorders/{number}/act", data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "version": str(order.version), **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _call_in_and_log_order(app, session, clock, make_caller, twilio_post, utility):
    # The caller reports a leak: 4 (report), 1 (leak) → the priority queue, agent is free.
    caller = make_caller(CALLER)
    caller.dial()
    caller.press("4")
    step = caller.press("1")
    assert (step["type"], step["name"]) == ("queue", "hotline-priority")

    # 8 seconds later the agent's softphone dequeues the caller (R1: within 12 s).
    clock.advance(seconds=8)
    agent_leg = twilio_post("/ivr/agent", {"CallSid": "CAagentleg", "From": "client:wang"})
    queue = check_twiml(agent_leg.get_data(as_text=True)).find("Dial/Queue")
    assert queue.text == "hotline-priority"
    caller.request(queue.get("url"), DequeingCallSid="CAagentleg", QueueTime="8")
    session.expire_all()
    call = session.scalar(select(Call).where(Call.call_sid == caller.sid))
    assert call.answer_seconds == 8 and call.agent_id == utility.agent.id

    # The agent's console pops the household file and offers an order from this call.
    agent = app.test_client()
    assert login(agent, "wang").status_code == 302
    pop = agent.get("/softphone/current").get_data(as_text=True)
    assert "王小明" in pop
    link = re.search(r'href="(/workorders/new\?[^"]+)"', pop).group(1).replace("&amp;", "&")
    form_page = agent.get(link).get_data(as_text=True)
    assert 'value="880001"' in form_page and 'value="解放路"' in form_page  # prefilled (R4)
    created = agent.post(link, data={
        "csrf_token": csrf_token_from(form_page), "category": "leak",
        "description": "门口路面冒水，水量较大", "contact_name": "王小明",
        "contact_phone": CALLER, "account_number": "880001", "area": "north",
        "street": "解放路", "house_number": "12号", "landmark": "邮局对面",
        "call_sid": caller.sid})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    number = created.headers["Location"].rstrip("/").split("/")[-1]

    # The caller hangs up; Twilio closes the queue record and reports the call completed.
    caller.request(step["action"], QueueResult="bridged")
    done = twilio_post("/webhooks/twilio/call-status", caller.params(
        CallStatus="completed", SequenceNumber="3", CallDuration="95"))
    assert done.status_code in (200, 204)
    return number, agent, caller


def test_leak_call_to_closed_order(app, session, clock, make_caller, twilio_post, utility):
    number, agent, caller = _call_in_and_log_order(app, session, clock, make_caller,
                                                   twilio_post, utility)
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    assert order.status == "dispatched"
    assert order.department_id == utility.crew.id  # R7: maintenance of the caller's area
    assert order.owner_id == utility.agent.id  # R20: first-contact ownership
    assert order.call_sid == caller.sid
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.to_number == CALLER)).all()
    assert any(number in m.body and m.status == "pending" for m in sms)  # queued, not sent
    assert deliver_due(app) >= 1  # the delivery worker's step sends it
    session.expire_all()
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.to_number == CALLER)).all()
    assert any(number in m.body and m.status == "sent" for m in sms), [(m.body, m.status, m.last_error) for m in sms]
    assert session.scalar(select(Call).where(Call.call_sid == caller.sid)).outcome == "answered"

    # R30: the household file now holds the call and the order.
    household = agent.get("/customers/880001").get_data(as_text=True)
    assert number in household and "本户工单" in household and "本户来电" in household
    assert "8 s" in household  # the call's answer time

    # The area crew accepts within 20 minutes (R14) and is on site within 20 (R16, urban).
    crew = app.test_client()
    assert login(crew, "fixer").status_code == 302
    clock.advance(minutes=6)
    _act(crew, number, session, action="accept")
    clock.advance(minutes=10)
    _act(crew, number, session, action="arrive")
    clock.advance(hours=2)
    _act(crew, number, session, action="resolve", result="更换破损管段，已恢复供水")

    # The hotline calls back within 24 h (R23): satisfied → closed.
    clock.advance(hours=3)
    _act(agent, number, session, action="follow_up", outcome="satisfied", attitude="5",
         quality="5", timeliness="4", result_score="5")
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    assert order.status == "closed"

    clocks = session.scalars(select(Deadline).where(
        Deadline.subject_type == "work_order", Deadline.subject_id == order.id)).all()
    kinds = {c.kind: c for c in clocks}
    assert {"accept", "on_site", "resolve", "follow_up"} <= set(kinds)
    assert all(c.state in ("met", "cancelled") for c in clocks)
    assert all(c.breached_at is None for c in clocks)
    with app.app_context():
        assert watch_deadlines(session, app, clock.now())["breaches"] == 0

    actions = [e.action for e in session.scalars(
        select(WorkOrderEvent).where(WorkOrderEvent.order_id == order.id)
        .order_by(WorkOrderEvent.id))]
    for expected in ("created", "sms_queued", "dispatch", "accept", "arrive", "resolve",
                     "follow_up"):
        assert expected in actions, actions
    assert actions.index("dispatch") < actions.index("accept") < actions.index("resolve")


def test_unhappy_customer_reopens_to_the_same_crew(app, session, clock, make_caller,
                                                   twilio_post, utility):
    """R12: not satisfied → back through the same flow, to the same department."""
    number, agent, _ = _call_in_and_log_order(app, session, clock, make_caller, twilio_post,
                                              utility)
    crew = app.test_client()
    assert login(crew, "fixer").status_code == 302
    _act(crew, number, session, action="accept")
    _act(crew, number, session, action="resolve", result="已处理")
    _act(agent, number, session, action="follow_up", outcome="unsatisfied",
         text="还在漏水", attitude="3", quality="1", timeliness="2", result_score="1")
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    assert order.reopen_count == 1
    assert order.status in ("reopened", "dispatched")
    assert order.department_id == utility.crew.id
    running = session.scalars(select(Deadline).where(
        Deadline.subject_type == "work_order", Deadline.subject_id == order.id,
        Deadline.kind == "accept", Deadline.state == "running")).all()
    assert len(running) == 1  # the crew must accept again within 20 minutes (R14)


def test_after_hours_voicemail_becomes_a_dispatched_order_with_its_recording(
        app, session, clock, make_caller, twilio_post, utility):
    # No agent is free: the leak report is recorded (R4), the real work-order desk opens
    # the order for the caller's area; it carries the recording, the caller's spoken
    # sentence is its draft, and it stays flagged for an agent (issue 11.5).
    set_availability(session, utility.agent, False, now=clock.now())
    session.commit()
    caller = make_caller(CALLER)
    caller.dial()
    caller.press("4")
    step = caller.press("1")
    assert step["type"] == "record"
    caller.request(step["action"], RecordingUrl="https://api.twilio.com/rec/RE9",
                   RecordingSid="RE9", RecordingDuration="20")
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.call_sid == caller.sid))
    assert order.channel == "voicemail" and order.department_id == utility.crew.id
    assert order.description == "" and "description" in order.missing_details
    assert caller.next["type"] == "gather" and caller.next["input"] == "speech"
    speech = caller.responses[-1].find("Gather")
    assert speech.get("language") == "cmn-CN"

    clock.advance(seconds=8)
    caller.request(caller.next["action"], SpeechResult="解放路12号门口水管爆了",
                   Confidence="0.82")
    assert caller.said("谢谢，您的描述已记录。")
    session.expire_all()
    order = session.get(WorkOrder, order.id)
    assert order.description == "解放路12号门口水管爆了"
    assert "description" in order.missing_details  # a draft until an agent confirms
    call = session.scalar(select(Call).where(Call.call_sid == caller.sid))
    assert (call.recording_sid, call.recording_duration) == ("RE9", 20)
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.to_number == CALLER)).all()
    assert any(order.number in m.body for m in sms)


def test_household_file_api_lists_the_orders_and_calls_r30(app, session, clock, make_caller,
                                                           twilio_post, utility):
    """R30 (issue 14 item 9): after a real call logged as an order, the API's household file
    holds both; staff get 403 (R27)."""
    from tests.factories import make_token

    number, _, caller = _call_in_and_log_order(app, session, clock, make_caller, twilio_post,
                                               utility)
    client = app.test_client()
    agent = {"Authorization": f"Bearer {make_token(session, utility.agent, clock.now())}"}
    staff = {"Authorization": f"Bearer {make_token(session, utility.fixer, clock.now())}"}
    session.commit()
    household = client.get("/api/v1/customers/880001", headers=agent)
    assert household.status_code == 200, household.json
    assert [o["number"] for o in household.json["orders"]] == [number]
    assert household.json["orders"][0]["category"] == "leak"
    assert [c["call_sid"] for c in household.json["calls"]] == [caller.sid]
    assert household.json["calls"][0]["answer_seconds"] == 8
    assert client.get("/api/v1/customers/880001", headers=staff).status_code == 403
