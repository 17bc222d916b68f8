"""Issue 11.5, recordings: the per-line setting (IVR_RECORD_LINES), the notice before the
queue in both languages, `<Dial record>` with a signed recording callback, the callback
stored on the call (idempotent, in any order, unsigned refused) and the local copy fetched
by a job through a fake HTTP client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.extensions import db
from ivr import recording_fetch
from ivr.models import Call, RecordingCopy
from ivr.recording_fetch import Fetched
from tests.factories import make_user
from tests.conftest import PUBLIC_URL
from tests.ivr.conftest import check_twiml

CALLER = "+8613912345678"
LINE = "+861012345"  # the number the Caller fixture dials
NOTICE = {"zh": "为了提高服务质量，您的通话可能会被录音。",
          "en": "To improve our service, your call may be recorded."}
HOLD = {"zh": "请稍候", "en": "Please hold"}


def _call(session, sid):
    session.expire_all()
    return session.scalar(select(Call).where(Call.call_sid == sid))


@pytest.fixture
def recorded(app):
    app.config["IVR_RECORD_LINES"] = f"{LINE}, +861099999"


def _queued(make_caller, lang):
    caller = make_caller(CALLER)
    caller.request(f"/ivr/voice?lang={lang}")
    assert caller.press("0")["type"] == "queue"
    return caller


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_recorded_line_speaks_the_notice_before_the_queue(make_caller, recorded, lang):
    caller = _queued(make_caller, lang)
    root = caller.responses[-1]
    says = [s.text for s in root.findall("Say")]
    verbs = [v.tag for v in root]
    assert says[0].startswith(NOTICE[lang]) and HOLD[lang] in says[0]
    assert verbs.index("Say") < verbs.index("Enqueue")  # heard before the queue


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_line_that_does_not_record_says_nothing_about_it(make_caller, app, lang):
    app.config["IVR_RECORD_LINES"] = "+861099999"
    caller = _queued(make_caller, lang)
    assert not caller.said(NOTICE[lang])


def _agent(session, clock, username="wang"):
    from ivr.calls import set_availability

    agent = make_user(session, role="agent", username=username)
    set_availability(session, agent, True, now=clock.now())
    session.commit()
    return agent


def _dial(twilio_post, username="wang", leg="CAagentleg"):
    response = twilio_post("/ivr/agent", {"CallSid": leg, "From": f"client:{username}",
                                          "To": "APxxx"})
    return check_twiml(response.get_data(as_text=True)).find("Dial")


def test_the_agent_bridge_records_with_a_signed_callback(make_caller, session, clock,
                                                         twilio_post, recorded):
    _agent(session, clock)
    _queued(make_caller, "zh")
    clock.advance(seconds=6)
    dial = _dial(twilio_post)
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("recordingStatusCallback") == \
        PUBLIC_URL + "/webhooks/twilio/recording-status"
    assert dial.get("recordingStatusCallbackMethod") == "POST"


def test_no_recording_when_a_waiting_caller_heard_no_notice(make_caller, session, clock,
                                                           twilio_post, app):
    _agent(session, clock)
    _queued(make_caller, "en")
    clock.advance(seconds=6)
    assert _dial(twilio_post).get("record") is None  # IVR_RECORD_LINES empty: no line


def _bridged(make_caller, session, clock, twilio_post, lang="zh"):
    """A caller on the recorded line answered by agent wang; returns the caller."""
    _agent(session, clock)
    caller = _queued(make_caller, lang)
    clock.advance(seconds=6)
    queue = _dial(twilio_post).find("Queue")
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagentleg",
                   QueueTime="5")
    return caller


def _recording_callback(twilio_post, **extra):
    params = {"AccountSid": "ACx", "CallSid": "CAagentleg", "RecordingSid": "RE0001",
              "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/ACx/Recordings/RE0001",
              "RecordingStatus": "completed", "RecordingDuration": "73",
              "RecordingChannels": "2", "RecordingSource": "DialVerb", **extra}
    return twilio_post("/webhooks/twilio/recording-status", params)


def test_the_recording_callback_is_stored_on_the_call_once(make_caller, session, clock,
                                                          twilio_post, recorded):
    caller = _bridged(make_caller, session, clock, twilio_post)
    clock.advance(seconds=75)
    caller.request("/ivr/queue/done?lang=zh", QueueResult="bridged")
    clock.advance(seconds=2)
    assert _recording_callback(twilio_post).status_code == 204
    call = _call(session, caller.sid)
    assert (call.agent_call_sid, call.recording_sid, call.recording_duration) == (
        "CAagentleg", "RE0001", 73)
    assert call.recording_url.endswith("/Recordings/RE0001")
    copy = session.scalar(select(RecordingCopy))
    assert (copy.call_id, copy.status, copy.next_attempt_at) == (call.id, "pending",
                                                                 clock.now())
    # Twilio retries: nothing changes, still one copy.
    clock.advance(seconds=30)
    assert _recording_callback(twilio_post).status_code == 204
    assert session.scalar(select(func.count(RecordingCopy.id))) == 1
    session.expire_all()
    assert session.scalar(select(RecordingCopy)).next_attempt_at == clock.now() - \
        timedelta(seconds=30)


def test_the_calls_api_gives_the_recording(make_caller, session, clock, twilio_post,
                                           recorded, client):
    from tests.factories import make_token

    caller = _bridged(make_caller, session, clock, twilio_post)
    _recording_callback(twilio_post)
    token = make_token(session, session.scalar(select(Call)).agent, clock.now())
    session.commit()
    body = client.get(f"/api/v1/calls/{caller.sid}",
                      headers={"Authorization": f"Bearer {token}"}).json
    assert (body["recording_sid"], body["recording_duration"]) == ("RE0001", 73)


def test_a_callback_before_the_bridge_request_waits_for_it(make_caller, session, clock,
                                                           twilio_post, recorded):
    _agent(session, clock)
    caller = _queued(make_caller, "en")
    clock.advance(seconds=6)
    queue = _dial(twilio_post).find("Queue")
    # Out of order: the recording's callback comes before the bridge request is stored.
    assert _recording_callback(twilio_post).status_code == 204
    assert _call(session, caller.sid).recording_sid == ""
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagentleg",
                   QueueTime="5")
    call = _call(session, caller.sid)
    assert (call.recording_sid, call.recording_duration) == ("RE0001", 73)
    assert session.scalar(select(RecordingCopy)).call_id == call.id


def test_unsigned_or_tampered_recording_callbacks_are_refused(make_caller, session, clock,
                                                             twilio_post, recorded):
    caller = _bridged(make_caller, session, clock, twilio_post)
    unsigned = twilio_post("/webhooks/twilio/recording-status",
                           {"CallSid": "CAagentleg", "RecordingSid": "RE0002",
                            "RecordingUrl": "https://evil.example/x"}, signature="")
    tampered = twilio_post("/webhooks/twilio/recording-status",
                           {"CallSid": "CAagentleg", "RecordingSid": "RE0002"},
                           token="not-the-token")
    assert (unsigned.status_code, tampered.status_code) == (403, 403)
    assert session.scalar(select(RecordingCopy)) is None
    assert _call(session, caller.sid).recording_sid == ""


def test_a_failed_or_absent_recording_stores_nothing(make_caller, session, clock,
                                                     twilio_post, recorded):
    caller = _bridged(make_caller, session, clock, twilio_post)
    assert _recording_callback(twilio_post, RecordingStatus="absent",
                               RecordingUrl="").status_code == 204
    assert _call(session, caller.sid).recording_sid == ""
    assert session.scalar(select(RecordingCopy)) is None


def test_a_recording_of_a_line_that_does_not_record_is_not_kept(make_caller, session, clock,
                                                                twilio_post, app):
    caller = _bridged(make_caller, session, clock, twilio_post)  # no recorded line
    assert _recording_callback(twilio_post).status_code == 204
    assert _call(session, caller.sid).recording_sid == ""
    assert session.scalar(select(RecordingCopy)) is None


def test_a_recording_callback_without_its_ids_is_a_clear_error(twilio_post, session):
    response = twilio_post("/webhooks/twilio/recording-status", {"CallSid": "CA1"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"RecordingSid": "required"}


# The local copy ------------------------------------------------------------------------

class FakeHttp:
    """Twilio's media URL, offline: answers from a script, records what was asked."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked: list[tuple[str, tuple[str, str]]] = []

    def get(self, url, *, auth, timeout):
        self.asked.append((url, auth))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


MP3 = Fetched(200, b"ID3\x03\x00fake-mp3-frames", "audio/mpeg")


def _fetch(app, clock):
    return recording_fetch.fetch_due(app, lambda: Session(db.engine), clock.now)


def _stored(make_caller, session, clock, twilio_post):
    caller = _bridged(make_caller, session, clock, twilio_post)
    _recording_callback(twilio_post)
    return caller


def test_the_job_fetches_the_copy_into_the_configured_folder(
        app, make_caller, session, clock, twilio_post, recorded, tmp_path):
    app.config["IVR_RECORDINGS_DIR"] = str(tmp_path / "rec")
    http = app.extensions["ivr.recording_http"] = FakeHttp(MP3)
    _stored(make_caller, session, clock, twilio_post)
    assert _fetch(app, clock) == {"fetched": 1}
    assert http.asked == [("https://api.twilio.com/2010-04-01/Accounts/ACx/Recordings/"
                           "RE0001.mp3", (app.config["TWILIO_ACCOUNT_SID"],
                                          app.config["TWILIO_AUTH_TOKEN"]))]
    session.expire_all()
    copy = session.scalar(select(RecordingCopy))
    assert (copy.status, copy.file_name, copy.content_type, copy.size_bytes, copy.attempts) \
        == ("fetched", "RE0001.mp3", "audio/mpeg", len(MP3.body), 1)
    assert (tmp_path / "rec" / "RE0001.mp3").read_bytes() == MP3.body
    assert _fetch(app, clock) == {}  # nothing left


def test_a_transient_failure_is_retried_later_and_a_refusal_is_final(
        app, make_caller, session, clock, twilio_post, recorded, tmp_path):
    app.config["IVR_RECORDINGS_DIR"] = str(tmp_path)
    app.extensions["ivr.recording_http"] = FakeHttp(
        OSError("timed out"), Fetched(503, b"", "text/html"), MP3)
    _stored(make_caller, session, clock, twilio_post)
    assert _fetch(app, clock) == {"retry": 1}
    assert _fetch(app, clock) == {}  # backing off
    clock.advance(seconds=31)
    assert _fetch(app, clock) == {"retry": 1}
    clock.advance(seconds=61)
    assert _fetch(app, clock) == {"fetched": 1}
    # A 404 (or anything not audio) will not get better: failed at once.
    app.extensions["ivr.recording_http"] = FakeHttp(Fetched(404, b"", "application/json"))
    session.execute(RecordingCopy.__table__.update().values(status="pending", attempts=0))
    session.commit()
    assert _fetch(app, clock) == {"failed": 1}
    session.expire_all()
    assert session.scalar(select(RecordingCopy)).last_error == "HTTP 404"


@pytest.mark.parametrize("lang,language,thanks", [("zh", "cmn-CN", "谢谢，您的描述已记录。"),
                                                  ("en", "en-US", "Thank you, we have noted")])
def test_a_voicemail_caller_may_add_a_spoken_sentence(make_caller, session, clock, desk,
                                                      lang, language, thanks):
    """Issue 11.5: after the message, `<Gather input="speech">` in the caller's language;
    its SpeechResult is the order's draft; silence just ends the call."""
    for spoken in ("楼下爆管", ""):
        caller = make_caller(CALLER)
        caller.request(f"/ivr/voice?lang={lang}")
        caller.press("4")
        step = caller.press("1")
        assert step["type"] == "record"
        caller.request(step["action"], RecordingUrl="https://api.twilio.com/rec/RE7",
                       RecordingSid=f"RE7{len(spoken)}", RecordingDuration="9")
        gather = caller.responses[-1].find("Gather")
        assert (gather.get("input"), gather.get("language")) == ("speech", language)
        verbs = [v.tag for v in caller.responses[-1]]
        assert verbs[-2:] == ["Say", "Hangup"]  # silence falls through to the goodbye
        caller.request(caller.next["action"], **({"SpeechResult": spoken} if spoken else {}))
        assert caller.next["type"] == "hangup"
        assert caller.said(thanks) is bool(spoken)
    assert [text for _number, text in desk.drafts] == ["楼下爆管"]
