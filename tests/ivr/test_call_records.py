"""The call record: made by whichever webhook arrives first (ivr.calls.open_call, the one
way), committed before the answer goes back to Twilio, so a worker that dies after
answering loses nothing (R1, R2, R30 need the start, the account and the IVR path)."""

import pytest
from datetime import timedelta

from sqlalchemy import func, select

from hotline.extensions import db
from ivr.models import Call
from tests.factories import make_customer

# Each webhook is checked from a connection of its own (committed before the answer):
# these tests commit for real.
pytestmark = pytest.mark.commits

STATUS_URL = "/webhooks/twilio/call-status"


def _committed(app, sid):
    """The row as another process would see it: a fresh connection, committed data only."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(select(Call.__table__).where(
            Call.__table__.c.call_sid == sid)).mappings().first()


def test_the_voice_url_commits_the_record_before_it_answers(app, make_caller, session,
                                                             clock):
    customer = make_customer(session, phones=("+8613912345678",))
    session.commit()
    caller = make_caller("+8613912345678")
    caller.dial()
    row = _committed(app, caller.sid)
    assert row is not None
    assert (row["started_at"], row["account_id"], row["ivr_path"], row["language"]) == (
        clock.now(), customer.id, "voice", "zh")
    assert (row["status"], row["outcome"], row["from_number"]) == (
        "in-progress", None, "+8613912345678")


def test_an_unknown_caller_has_no_account(app, make_caller):
    caller = make_caller("+8613700000009")
    caller.dial()
    row = _committed(app, caller.sid)
    assert (row["account_id"], row["ivr_path"]) == (None, "voice")


def test_each_later_step_is_committed_with_its_webhook(app, make_caller, clock):
    caller = make_caller()
    caller.request("/ivr/voice?lang=en")
    clock.advance(seconds=8)
    step = caller.press("0")
    row = _committed(app, caller.sid)
    assert row["ivr_path"] == "voice>main:0"
    assert (row["asked_at"], row["entered_queue_at"]) == (clock.now(), None)
    clock.advance(seconds=3)
    caller.request(step["waitUrl"], QueueTime="0", QueuePosition="1")
    assert _committed(app, caller.sid)["entered_queue_at"] == clock.now()  # R1


def test_a_replayed_voice_webhook_changes_nothing(app, make_caller, session, clock):
    make_customer(session, phones=("+8613912345678",))
    session.commit()
    caller = make_caller("+8613912345678")
    caller.dial()
    before = dict(_committed(app, caller.sid))
    clock.advance(seconds=3)
    caller.dial()
    assert dict(_committed(app, caller.sid)) == before
    assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_a_status_callback_that_beats_the_voice_url_is_completed_by_it(
        app, twilio_post, make_caller, session, clock):
    """Twilio may send `ringing` before the voice URL's request: the row it creates gains
    the caller's account and the first IVR step when the voice URL arrives."""
    customer = make_customer(session, phones=("+8613912345678",))
    session.commit()
    caller = make_caller("+8613912345678")
    response = twilio_post(STATUS_URL, caller.params(CallStatus="ringing", SequenceNumber="0"))
    assert response.status_code == 204
    ringing_at = clock.now()
    clock.advance(seconds=1)
    caller.dial()
    caller.press("2")
    row = _committed(app, caller.sid)
    assert (row["account_id"], row["ivr_path"], row["started_at"]) == (
        customer.id, f"voice>main:2>outages:{customer.area.code}", ringing_at)
    assert (row["status"], row["direction"]) == ("ringing", "inbound")


def test_a_call_first_seen_on_completion_has_its_start_and_end(app, twilio_post, clock):
    """A call whose only webhook is the completed callback (say, the caller hung up before
    the voice URL answered) still gets one record, ended and never answered."""
    params = {"CallSid": "CA-late", "CallStatus": "completed", "SequenceNumber": "3",
              "CallDuration": "4", "From": "+8613912345678", "To": "+861012345",
              "Direction": "inbound"}
    assert twilio_post(STATUS_URL, params).status_code == 204
    row = _committed(app, "CA-late")
    assert (row["started_at"], row["ended_at"], row["duration_seconds"]) == (
        clock.now(), clock.now(), 4)
    assert (row["status"], row["outcome"], row["answered_at"]) == (
        "completed", "self_served", None)
    clock.advance(seconds=30)
    assert twilio_post(STATUS_URL, {**params, "SequenceNumber": "4"}).status_code == 204
    assert _committed(app, "CA-late")["ended_at"] == clock.now() - timedelta(seconds=30)
