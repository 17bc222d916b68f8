"""Issue 11 fixes 1-3: calls played the way Twilio runs them (signed webhooks, a clock that
moves while prompts are spoken, no `<Record>` action for an empty message, only the
`completed` status callback for a caller who hangs up before `<Enqueue>` runs)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.telephony.models import OutboxMessage
from ivr.models import Call, CallbackRequest
from tests.factories import make_user
from tests.ivr.conftest import check_twiml

CALLER = "+8613912345678"
PROMPT_SECONDS = 3.8  # "请稍候，正在为您转接人工服务。" spoken by Polly.Zhiyu


def _call(session, sid) -> Call:
    session.expire_all()
    return session.scalar(select(Call).where(Call.call_sid == sid))


def _callbacks(session) -> list[tuple[str, str]]:
    return [(r.reason, r.phone) for r in session.scalars(select(CallbackRequest))]


def _hang_up(twilio_post, caller, duration: int, sequence: int = 5):
    response = twilio_post("/webhooks/twilio/call-status", caller.params(
        CallStatus="completed", CallDuration=str(duration), SequenceNumber=str(sequence)))
    assert response.status_code == 204


def _asks_for_agent(make_caller, clock):
    caller = make_caller(CALLER)
    caller.dial()
    clock.advance(seconds=12)  # the greeting and the menu
    step = caller.press("0")
    assert step["type"] == "queue"
    return caller, step


def _available_agent(session, clock):
    """An agent who chose "available": only such an agent is bridged (issue 11 item 2)."""
    from ivr import agent_states

    agent = make_user(session, role="agent", username="wang")
    agent_states.choose_state(session, agent, "available", now=clock.now(),
                              wrap_up=timedelta(seconds=30))
    session.commit()
    return agent


def test_answer_time_runs_from_the_real_queue_entry_and_matches_queue_time_r1(
        make_caller, twilio_post, session, clock):
    _available_agent(session, clock)
    caller, step = _asks_for_agent(make_caller, clock)
    asked = clock.now()
    clock.advance(seconds=PROMPT_SECONDS)  # Twilio queues the caller after the prompt
    queued = clock.now()
    caller.request(step["waitUrl"], QueuePosition="1", QueueTime="0", AvgQueueTime="0")
    clock.advance(seconds=5)
    caller.request(step["waitUrl"], QueuePosition="1", QueueTime="5", AvgQueueTime="0")
    clock.advance(seconds=5)
    root = check_twiml(twilio_post("/ivr/agent", {"CallSid": "CAagent", "From": "client:wang",
                                                  "To": "APxxx"}).get_data(as_text=True))
    caller.request(root.find("Dial/Queue").get("url"), QueueTime="10")
    call = _call(session, caller.sid)
    assert (call.asked_at, call.entered_queue_at) == (asked, queued)
    assert call.answered_at == queued + timedelta(seconds=10)
    assert call.answer_seconds == 10.0  # not 13.8: inside R1's 12 s
    assert abs(call.answer_seconds - call.twilio_queue_time) <= 1


def test_an_agent_who_dials_during_the_prompt_is_bridged_when_twilio_queues_the_caller(
        make_caller, twilio_post, session, clock):
    """`<Dial><Queue>` waits on an empty queue; the caller still hearing the hold prompt
    is about to be queued, so the agent is sent to the queue."""
    _available_agent(session, clock)
    caller, _ = _asks_for_agent(make_caller, clock)
    root = check_twiml(twilio_post("/ivr/agent", {"CallSid": "CAagent", "From": "client:wang",
                                                  "To": "APxxx"}).get_data(as_text=True))
    assert root.find("Dial/Queue").text == "hotline"
    clock.advance(seconds=PROMPT_SECONDS)
    caller.request(root.find("Dial/Queue").get("url"), QueueTime="0")
    call = _call(session, caller.sid)
    assert call.entered_queue_at == call.answered_at == clock.now()
    assert (call.answer_seconds, call.twilio_queue_time) == (0.0, 0)


def test_a_hang_up_during_the_hold_prompt_files_a_callback_r3(make_caller, twilio_post,
                                                              session, clock):
    caller, _ = _asks_for_agent(make_caller, clock)
    clock.advance(seconds=PROMPT_SECONDS + 2)  # longer than R2's 5 s, before <Enqueue> ran
    _hang_up(twilio_post, caller, duration=18)
    _hang_up(twilio_post, caller, duration=18)  # a replayed callback: still one request
    call = _call(session, caller.sid)
    assert (call.outcome, call.entered_queue_at) == ("abandoned", None)
    assert _callbacks(session) == [("abandoned", CALLER)]
    assert [m.to_number for m in session.scalars(select(OutboxMessage))] == [CALLER]


def test_a_hang_up_shorter_than_the_short_abandon_threshold_files_none_r2(
        make_caller, twilio_post, session, clock):
    caller, _ = _asks_for_agent(make_caller, clock)
    clock.advance(seconds=3)
    _hang_up(twilio_post, caller, duration=15)
    assert _call(session, caller.sid).outcome == "abandoned"
    assert _callbacks(session) == []


def test_a_short_abandon_in_the_queue_files_none_and_a_long_one_does_r2(
        make_caller, session, clock):
    short, step = _asks_for_agent(make_caller, clock)
    clock.advance(seconds=PROMPT_SECONDS)
    short.request(step["waitUrl"], QueuePosition="1", QueueTime="0")
    short.request(step["action"], QueueResult="hangup", QueueTime="0")
    assert _callbacks(session) == []
    long, step = _asks_for_agent(make_caller, clock)
    clock.advance(seconds=PROMPT_SECONDS)
    long.request(step["waitUrl"], QueuePosition="1", QueueTime="0")
    clock.advance(seconds=20)
    long.request(step["action"], QueueResult="hangup", QueueTime="20")
    assert _callbacks(session) == [("abandoned", CALLER)]
    assert _call(session, long.sid).outcome == "abandoned"


def _leak_message(make_caller, clock):
    caller = make_caller(CALLER)
    caller.request("/ivr/voice?lang=en")
    clock.advance(seconds=10)
    caller.press("4")
    step = caller.press("1")  # a leak; no agent available: a recorded message
    assert step["type"] == "record" and step["empty"]
    return caller, step


def test_a_silent_leak_message_files_a_callback_and_is_not_self_served(
        make_caller, twilio_post, session, clock):
    caller, step = _leak_message(make_caller, clock)
    clock.advance(seconds=8)  # the prompt, the beep, silence until the timeout
    caller.request(step["empty"])  # no action request: Twilio goes on after <Record>
    assert caller.said("We did not receive a message.")
    assert caller.said("We will call you back as soon as possible.")
    assert caller.next["type"] == "hangup"
    _hang_up(twilio_post, caller, duration=25)
    call = _call(session, caller.sid)
    assert call.outcome == "callback" and call.voicemail_order == ""
    assert call.ivr_path.endswith("report:leak>voicemail-empty")
    assert _callbacks(session) == [("no_message", CALLER)]
    sms = session.scalars(select(OutboxMessage)).all()
    assert [(m.to_number, m.body) for m in sms] == [
        (CALLER, "Water hotline: we have your request and will call you back soon.")]


def test_a_hang_up_at_the_beep_files_a_callback(make_caller, twilio_post, session, clock):
    caller, _ = _leak_message(make_caller, clock)
    clock.advance(seconds=7)  # hangs up at the beep: no action, no further verbs
    _hang_up(twilio_post, caller, duration=24)
    assert _call(session, caller.sid).outcome == "abandoned"
    assert _callbacks(session) == [("abandoned", CALLER)]


def test_a_message_whose_action_arrives_after_the_hang_up_replaces_the_callback(
        make_caller, twilio_post, session, clock):
    """Status callbacks arrive late and out of order: when `completed` beats the
    `<Record>` action, the callback it filed is withdrawn once the order exists."""
    caller, step = _leak_message(make_caller, clock)
    clock.advance(seconds=30)
    _hang_up(twilio_post, caller, duration=47)
    assert _callbacks(session) == [("abandoned", CALLER)]
    caller.request(step["action"], RecordingUrl="https://api.twilio.com/rec/RE1",
                   RecordingDuration="20")
    call = _call(session, caller.sid)
    assert call.outcome == "voicemail" and call.voicemail_order
    request = session.scalar(select(CallbackRequest))
    assert (request.result, request.note) == ("cancelled", f"voicemail {call.voicemail_order}")
