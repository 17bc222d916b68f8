"""The queue: wait announcements, the callback offer, abandons (R3), and agent connect with
the answer time measured by the server clock (R1)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.telephony.models import OutboxMessage
from ivr.models import Call, CallbackRequest
from sla.ports import ports
from tests.factories import make_user
from tests.ivr.conftest import check_twiml


CALLER = "+8613912345678"


def _call(session, sid):
    session.expire_all()
    return session.scalar(select(Call).where(Call.call_sid == sid))


def _queued(make_caller, number=CALLER, lang="en"):
    caller = make_caller(number)
    caller.request(f"/ivr/voice?lang={lang}")
    step = caller.press("0")
    assert step["type"] == "queue"
    return caller, step


def _wait(caller, step, position=1, waited=0, average=0):
    return caller.request(step["waitUrl"], QueuePosition=str(position), QueueTime=str(waited),
                          AvgQueueTime=str(average), CurrentQueueSize="1")


def test_wait_url_tells_position_and_estimated_wait_then_offers_a_callback(make_caller):
    caller, step = _queued(make_caller)
    _wait(caller, step, position=2, waited=10, average=150)
    assert caller.said("You are number 2 in the queue. The estimated wait is 3 minutes.")
    assert caller.responses[-1].find("Pause") is not None
    assert not caller.said("To be called back instead, press 1.")
    offer = _wait(caller, step, position=1, waited=30, average=150)
    assert offer["type"] == "gather"
    assert caller.said("To be called back instead, press 1.")


@pytest.mark.parametrize("app_config", [{"IVR_CALLBACK_OFFER_SECONDS": 5}])
def test_callback_offer_delay_is_configurable(make_caller, app_config):
    caller, step = _queued(make_caller)
    assert _wait(caller, step, waited=5)["type"] == "gather"


def test_press_1_leaves_the_queue_with_a_callback_request_and_sms(make_caller, session,
                                                                   clock):
    caller, step = _queued(make_caller)
    clock.advance(seconds=31)
    _wait(caller, step, waited=31)
    assert caller.press("1")["type"] == "leave"
    # Twilio then requests the Enqueue action with QueueResult=leave.
    caller.request(step["action"], QueueResult="leave")
    assert caller.said("We will call you back as soon as possible.")
    call = _call(session, caller.sid)
    assert call.outcome == "callback" and call.answered_at is None
    request = session.scalar(select(CallbackRequest))
    assert (request.phone, request.reason, request.result, request.call_id) == (
        CALLER, "requested", "pending", call.id)
    assert request.due_at == clock.now() + timedelta(minutes=30)
    sms = session.scalars(select(OutboxMessage)).all()
    assert [(m.to_number, m.body) for m in sms] == [
        (CALLER, "Water hotline: we have your request and will call you back soon.")]


def test_other_key_keeps_waiting(make_caller, session):
    caller, step = _queued(make_caller)
    _wait(caller, step, waited=40)
    caller.press("5")
    assert caller.said("Please keep holding.")
    assert session.scalar(select(CallbackRequest)) is None


def test_abandoned_call_creates_a_callback_request_r3(make_caller, session, twilio_post,
                                                      clock):
    caller, step = _queued(make_caller)
    clock.advance(seconds=20)
    caller.request(step["action"], QueueResult="hangup")
    twilio_post(step["action"], caller.params(QueueResult="hangup"))  # a retry: still one
    call = _call(session, caller.sid)
    assert call.outcome == "abandoned" and call.ended_at is not None
    requests = session.scalars(select(CallbackRequest)).all()
    assert [(r.reason, r.phone) for r in requests] == [("abandoned", CALLER)]
    assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_agent_answers_at_a_known_delay_r1(make_caller, session, clock, twilio_post):
    from ivr.calls import set_availability

    agent = make_user(session, role="agent", username="wang")
    set_availability(session, agent, True, now=clock.now())
    session.commit()
    caller, step = _queued(make_caller)
    asked = clock.now()
    clock.advance(seconds=9.5)
    response = twilio_post("/ivr/agent", {"CallSid": "CAagent", "From": "client:wang",
                                          "To": "APxxx"})
    root = check_twiml(response.get_data(as_text=True))
    queue = root.find("Dial/Queue")
    assert queue.text == "hotline"
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="9")
    assert caller.said("Connecting you to an agent now.")
    clock.advance(seconds=3)
    caller.request(queue.get("url"), QueueTime="12")  # a retried request keeps the first stamp
    call = _call(session, caller.sid)
    # Dequeued before any wait-URL request: queued QueueTime seconds before the bridge (R1).
    assert call.asked_at == asked
    assert call.entered_queue_at == asked + timedelta(seconds=0.5)
    assert call.answered_at == asked + timedelta(seconds=9.5)
    assert (call.answer_seconds, call.twilio_queue_time, call.agent_id, call.outcome) == (
        9.0, 9, agent.id, "answered")
    caller.request(step["action"], QueueResult="bridged")
    assert _call(session, caller.sid).outcome == "answered"


def test_agent_takes_the_priority_queue_first(make_caller, session, clock, twilio_post, desk):
    from ivr.calls import set_availability

    agent = make_user(session, role="agent", username="zhao")
    set_availability(session, agent, True, now=clock.now())
    session.commit()
    _queued(make_caller, "+8613700000010")
    clock.advance(seconds=5)
    leak = make_caller("+8613700000011")
    leak.request("/ivr/voice?lang=en")
    leak.press("4")
    assert leak.press("1")["name"] == "hotline-priority"
    root = check_twiml(twilio_post("/ivr/agent", {"CallSid": "CAa", "From": "client:zhao"})
                       .get_data(as_text=True))
    assert root.find("Dial/Queue").text == "hotline-priority"


def test_agent_with_empty_queues_hears_so(twilio_post, session):
    make_user(session, role="agent", username="qian")
    session.commit()
    root = check_twiml(twilio_post("/ivr/agent", {"CallSid": "CAa", "From": "client:qian"})
                       .get_data(as_text=True))
    assert root.find("Dial") is None and root.find("Hangup") is not None


def test_unknown_or_staff_identity_is_not_connected(twilio_post, session, make_caller):
    make_user(session, role="staff", username="staffer")
    session.commit()
    _queued(make_caller)
    for identity in ("client:staffer", "client:nobody", "+8613900000000"):
        root = check_twiml(twilio_post("/ivr/agent", {"CallSid": "CAa", "From": identity})
                           .get_data(as_text=True))
        assert root.find("Dial") is None


def test_call_source_for_the_sla_engine(app, make_caller, session, clock, twilio_post):
    make_user(session, role="agent", username="sun")
    session.commit()
    first, step = _queued(make_caller, "+8613700000020")
    _wait(first, step)
    clock.advance(seconds=4)
    second, step = _queued(make_caller, "+8613700000021")
    _wait(second, step, position=2)
    clock.advance(seconds=6)
    first.request("/ivr/queue/connect?agent=sun", QueueTime="10")
    source = ports(app).calls
    start = clock.now() - timedelta(minutes=1)
    offered = list(source.offered_between(session, start, clock.now() + timedelta(seconds=1)))
    assert [f.answered_at is not None for f in offered] == [True, False]
    assert offered[0].outcome == "answered"
    waiting = source.waiting(session, clock.now())
    assert [f.call_id for f in waiting] == [_call(session, second.sid).id]
    assert waiting[0].caller == "+86137****0021"  # masked: the wallboard is on the wall
    assert list(source.offered_between(session, clock.now() + timedelta(seconds=1),
                                       clock.now() + timedelta(minutes=1))) == []
