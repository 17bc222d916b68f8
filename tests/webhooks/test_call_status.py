"""Status callbacks: stored once, replays change nothing, a call never moves backwards."""

from sqlalchemy import func, select

from ivr.models import Call
from tests.ivr.conftest import twilio_post, make_caller  # noqa: F401 (fixtures)
from webhooks.models import CallStatusEvent


URL = "/webhooks/twilio/call-status"


def _status(twilio_post, sid, status, seq, **extra):
    params = {"CallSid": sid, "CallStatus": status, "SequenceNumber": str(seq),
              "From": "+8613912345678", "To": "+861012345", "Direction": "inbound", **extra}
    response = twilio_post(URL, params)
    assert response.status_code == 204, response.get_data(as_text=True)


def _call(session, sid):
    session.expire_all()
    return session.scalar(select(Call).where(Call.call_sid == sid))


def _snapshot(session, sid):
    call = _call(session, sid)
    columns = [c.key for c in Call.__table__.columns]
    return {c: getattr(call, c) for c in columns}


def test_completed_closes_a_self_served_call(twilio_post, make_caller, session, clock):
    caller = make_caller()
    caller.dial()
    clock.advance(seconds=40)
    _status(twilio_post, caller.sid, "completed", 3, CallDuration="40")
    call = _call(session, caller.sid)
    assert (call.status, call.outcome, call.duration_seconds, call.ended_at) == (
        "completed", "self_served", 40, clock.now())


def test_replayed_callback_changes_nothing(twilio_post, make_caller, session, clock):
    caller = make_caller()
    caller.dial()
    _status(twilio_post, caller.sid, "completed", 3, CallDuration="40")
    before = _snapshot(session, caller.sid)
    clock.advance(minutes=5)
    _status(twilio_post, caller.sid, "completed", 3, CallDuration="99")
    assert _snapshot(session, caller.sid) == before
    assert session.scalar(select(func.count()).select_from(CallStatusEvent)) == 1


def test_out_of_order_callbacks_never_move_a_call_backwards(twilio_post, session, clock):
    sid = "CAoutoforder"
    _status(twilio_post, sid, "ringing", 1)
    _status(twilio_post, sid, "completed", 3, CallDuration="12")
    ended = _snapshot(session, sid)
    clock.advance(seconds=30)
    _status(twilio_post, sid, "in-progress", 2)
    _status(twilio_post, sid, "initiated", 0)
    assert _snapshot(session, sid) == ended
    assert ended["status"] == "completed" and ended["direction"] == "inbound"
    assert session.scalar(select(func.count()).select_from(CallStatusEvent)) == 4


def test_queued_caller_who_hangs_up_is_abandoned(twilio_post, make_caller, session):
    caller = make_caller()
    caller.request("/ivr/voice?lang=en")
    caller.press("0")
    _status(twilio_post, caller.sid, "completed", 5, CallDuration="70")
    assert _call(session, caller.sid).outcome == "abandoned"


def test_outbound_call_status_creates_its_record(twilio_post, session):
    _status(twilio_post, "CAout", "completed", 4, Direction="outbound-api", CallDuration="5")
    call = _call(session, "CAout")
    assert (call.direction, call.outcome, call.status) == ("outbound", None, "completed")


def test_missing_fields_are_a_clear_error_and_store_nothing(twilio_post, session):
    response = twilio_post(URL, {"CallSid": "CAx"}, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"CallStatus": "required"}
    assert session.scalar(select(func.count()).select_from(CallStatusEvent)) == 0


def test_any_arrival_order_with_replays_ends_in_the_same_state(twilio_post, session, clock):
    """Every order of ringing / in-progress / completed, each delivered twice, leaves the
    call exactly as the in-order delivery does."""
    from itertools import permutations

    events = [("ringing", 1), ("in-progress", 2), ("completed", 3)]
    _status(twilio_post, "CAref", "ringing", 1)
    _status(twilio_post, "CAref", "in-progress", 2)
    _status(twilio_post, "CAref", "completed", 3, CallDuration="20")
    expected = _snapshot(session, "CAref")
    for n, order in enumerate(permutations(events)):
        sid = f"CAperm{n}"
        for status, seq in order + order:
            extra = {"CallDuration": "20"} if status == "completed" else {}
            _status(twilio_post, sid, status, seq, **extra)
        got = _snapshot(session, sid)
        for key in ("status", "status_rank", "outcome", "duration_seconds", "direction",
                    "ended_at"):
            assert got[key] == expected[key], (order, key)


def _callbacks(session):
    from ivr.models import CallbackRequest

    return [(r.reason, r.result) for r in session.scalars(select(CallbackRequest))]


def test_the_end_of_a_call_that_never_asked_for_a_person_files_no_callback_r3(
        twilio_post, make_caller, session, clock):
    caller = make_caller()
    caller.dial()
    caller.press("1")  # a stranger's balance menu: self-service only
    clock.advance(seconds=40)
    _status(twilio_post, caller.sid, "completed", 3, CallDuration="40")
    assert _call(session, caller.sid).outcome == "self_served"
    assert _callbacks(session) == []


def test_the_end_of_an_answered_call_files_no_callback_r3(twilio_post, make_caller,
                                                          session, clock):
    caller = make_caller()
    caller.dial()
    caller.press("0")
    clock.advance(seconds=8)
    caller.request("/ivr/queue/connect", QueueTime="4")
    clock.advance(seconds=60)
    _status(twilio_post, caller.sid, "completed", 3, CallDuration="68")
    assert _call(session, caller.sid).outcome == "answered"
    assert _callbacks(session) == []


def test_a_late_enqueue_hangup_after_the_status_callback_files_one_request_r3(
        twilio_post, make_caller, session, clock):
    caller = make_caller()
    caller.dial()
    step = caller.press("0")
    clock.advance(seconds=4)
    caller.request(step["waitUrl"], QueueTime="0", QueuePosition="1")
    clock.advance(seconds=30)
    _status(twilio_post, caller.sid, "completed", 3, CallDuration="34")
    clock.advance(seconds=2)  # the Enqueue action arrives after the status callback
    caller.request(step["action"], QueueResult="hangup", QueueTime="30")
    assert _call(session, caller.sid).outcome == "abandoned"
    assert _callbacks(session) == [("abandoned", "pending")]
