"""The phone simulator drives the real, signed webhooks; an agent answers the next caller."""

import pytest
from sqlalchemy import select

from ivr.models import Call, CallbackRequest
from tests.conftest import TWILIO_MODE, csrf_token_from
from tests.factories import make_customer, make_user


CALLER = "+8613912345678"


@pytest.fixture
def api(client, session, login_as, clock):
    from ivr.calls import set_availability

    agent = make_user(session, role="agent", username="sim", locale="en")
    set_availability(session, agent, True, now=clock.now())  # only an available agent answers
    make_customer(session, phones=(CALLER,), name="王五")
    session.commit()
    login_as(agent)
    token = csrf_token_from(client.get("/simulator/").get_data(as_text=True))

    def _post(path, body=None):
        response = client.post(path, json=body, headers={"X-CSRFToken": token,
                                                         "Accept": "application/json"})
        return response.status_code, response.get_json()

    return _post


def test_call_press_0_wait_answer_and_hang_up(api, session, clock):
    status, data = api("/simulator/api/start", {"from": "13912345678"})
    assert status == 200 and data["from"] == CALLER
    assert data["says"][0]["text"] == "您好！这里是供水总公司客服热线。"
    assert data["next"]["type"] == "gather"
    call_sid = data["call_sid"]
    status, data = api("/simulator/api/step", {"call_sid": call_sid, "from": CALLER,
                                               "url": data["next"]["action"], "digits": "0"})
    assert data["next"]["type"] == "queue" and data["queue"]["name"] == "hotline"
    queue = data["queue"]
    clock.advance(seconds=10)
    status, data = api("/simulator/api/wait", {"call_sid": call_sid, "from": CALLER,
                                               "queue": queue})
    assert data["next"]["type"] == "queue"  # still waiting after the wait TwiML ran out
    assert "预计等待1分钟" in data["says"][0]["text"]
    clock.advance(seconds=25)
    status, data = api("/simulator/api/wait", {"call_sid": call_sid, "from": CALLER,
                                               "queue": queue})
    assert data["next"]["type"] == "gather"  # the callback offer
    assert "第1位" in data["says"][0]["text"]
    status, answered = api("/softphone/answer-next")
    assert answered["answered"] == call_sid
    status, data = api("/simulator/api/wait", {"call_sid": call_sid, "from": CALLER,
                                               "queue": queue})
    assert data["next"]["type"] == "bridged" and data["next"]["agent"].startswith("agent ")
    call = session.scalar(select(Call).where(Call.call_sid == call_sid))
    assert call.answer_seconds == 35.0 and call.twilio_queue_time == 35
    status, data = api("/simulator/api/hangup", {"call_sid": call_sid, "from": CALLER})
    session.expire_all()
    assert (call.outcome, call.status) == ("answered", "completed")
    assert call.ended_at is not None


def test_press_1_for_a_callback_from_the_queue(api, session, clock):
    _, data = api("/simulator/api/start", {"from": CALLER})
    call_sid = data["call_sid"]
    _, data = api("/simulator/api/step", {"call_sid": call_sid, "from": CALLER,
                                          "url": data["next"]["action"], "digits": "0"})
    queue = data["queue"]
    clock.advance(seconds=31)
    _, offer = api("/simulator/api/wait", {"call_sid": call_sid, "from": CALLER, "queue": queue})
    _, data = api("/simulator/api/step", {"call_sid": call_sid, "from": CALLER, "digits": "5",
                                          "url": offer["next"]["action"], "queue": queue})
    assert data["next"]["type"] == "queue"  # "please keep holding": still queued
    assert session.scalar(select(Call).where(Call.call_sid == call_sid)).ended_at is None
    _, data = api("/simulator/api/step", {"call_sid": call_sid, "from": CALLER, "digits": "1",
                                          "url": offer["next"]["action"], "queue": queue})
    assert data["next"]["type"] == "hangup"
    assert "回电" in data["says"][-1]["text"]
    assert session.scalar(select(CallbackRequest)).reason == "requested"


def test_answer_next_with_nobody_waiting(api):
    _, data = api("/softphone/answer-next")
    assert data["answered"] is None and data["says"][0]["text"] == "No caller is waiting."


def test_bad_input_is_refused(api):
    status, body = api("/simulator/api/start", {"from": "not a phone"})
    assert status == 422 and body["error"]["fields"] == {"from": "not a phone"}
    status, body = api("/simulator/api/step", {"call_sid": "x", "from": CALLER,
                                               "url": "/webhooks/twilio/call-status"})
    assert status == 422


class TestTwilioMode:
    @pytest.fixture
    def app_config(self):
        return dict(TWILIO_MODE)

    def test_simulator_exists_only_in_outbox_mode(self, client, session, login_as):
        login_as(make_user(session, role="agent"))
        assert client.get("/simulator/").status_code == 404


def test_department_staff_may_not_use_the_simulator(client, session, login_as):
    """It poses as any number and speaks any account's balance: not for department staff."""
    from tests.factories import make_department

    staff = make_user(session, role="staff", department=make_department(session), locale="en")
    make_customer(session, phones=(CALLER,), name="王五")
    session.commit()
    login_as(staff)
    home = client.get("/").get_data(as_text=True)
    assert "/simulator/" not in home  # not in the navigation either
    assert client.get("/simulator/").status_code == 403
    token = csrf_token_from(home)
    response = client.post("/simulator/api/start", json={"from": CALLER},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 403
    assert session.scalar(select(Call)) is None
    assert client.get("/simulator/recordings/CA1").status_code == 403


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"HOTLINE_ENV": "production", "SESSION_COOKIE_SECURE": False,
                "REMEMBER_COOKIE_SECURE": False}

    def test_off_in_production(self, client, session, login_as, monkeypatch):
        monkeypatch.delenv("HOTLINE_SIMULATOR", raising=False)
        login_as(make_user(session, role="admin"))
        assert client.get("/simulator/").status_code == 404
        assert "/simulator/" not in client.get("/").get_data(as_text=True)


class TestProductionEnabled:
    @pytest.fixture
    def app_config(self):
        return {"HOTLINE_ENV": "production", "HOTLINE_SIMULATOR": "1",
                "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}

    def test_on_in_production_when_enabled(self, client, session, login_as):
        login_as(make_user(session, role="agent"))
        assert client.get("/simulator/").status_code == 200
        assert "/simulator/" in client.get("/").get_data(as_text=True)


def test_a_recorded_line_in_the_simulator_posts_the_recording_callback(api, session, clock,
                                                                      app):
    """Issue 11.5: on a recorded line the caller hears the notice, the agent's leg records,
    and hanging up posts the signed recording callback that names the agent's leg."""
    from ivr.models import RecordingCopy

    app.config["IVR_RECORD_LINES"] = "*"
    _, data = api("/simulator/api/start", {"from": CALLER})
    _, data = api("/simulator/api/step", {"call_sid": data["call_sid"], "from": CALLER,
                                          "url": data["next"]["action"], "digits": "0"})
    assert data["says"][0]["text"].startswith("为了提高服务质量，您的通话可能会被录音。")
    clock.advance(seconds=8)
    _, answered = api("/softphone/answer-next")
    clock.advance(seconds=50)
    api("/softphone/hangup")
    session.expire_all()
    call = session.scalar(select(Call).where(Call.call_sid == answered["answered"]))
    copy = session.scalar(select(RecordingCopy))
    assert call.agent_call_sid and call.recording_sid == copy.recording_sid
    assert (call.recording_duration, copy.status) == (50, "pending")
    assert copy.leg_call_sid == call.agent_call_sid
