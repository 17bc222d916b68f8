"""The agent console: availability, voice tokens, screen-pop, callbacks, outbox, click-to-call."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.telephony.models import OutboxMessage
from ivr.models import AgentPresence, Call, CallbackRequest
from tests.conftest import TWILIO_MODE, csrf_token_from
from tests.factories import make_customer, make_user
from tests.ivr.test_queue_and_agents import _queued

CALLER = "+8613912345678"


def _csrf(client):
    return csrf_token_from(client.get("/softphone").get_data(as_text=True))


WRAP = timedelta(seconds=30)


def test_availability_toggle_and_presence(client, session, login_as, clock):
    from ivr.calls import agents_available

    agent = make_user(session, role="agent")
    session.commit()
    login_as(agent)
    assert client.post("/softphone/availability",
                       data={"state": "available", "csrf_token": _csrf(client)}).status_code == 302
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 1
    clock.advance(minutes=3)  # the console tab was closed: presence expires
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 0
    client.get("/softphone/current")
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 1
    bad = client.post("/softphone/availability", data={"state": "x",
                                                        "csrf_token": _csrf(client)})
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(AgentPresence, agent.id).available is True


def test_availability_needs_csrf(client, session, login_as):
    login_as(make_user(session, role="agent"))
    assert client.post("/softphone/availability", data={"state": "available"}).status_code == 400


def test_staff_cannot_open_the_softphone(client, session, login_as):
    login_as(make_user(session, role="staff"))
    assert client.get("/softphone").status_code == 403


@pytest.mark.parametrize("app_config", [{"TWILIO_API_KEY_SID": "SK" + "2" * 32,
                                         "TWILIO_API_KEY_SECRET": "s" * 40,
                                         "TWILIO_TWIML_APP_SID": "AP" + "3" * 32}])
def test_voice_token_for_the_browser_softphone(client, session, login_as, app_config):
    import jwt as pyjwt

    login_as(make_user(session, role="agent", username="li"))
    body = client.get("/softphone/token").get_json()
    claims = pyjwt.decode(body["token"], "s" * 40, algorithms=["HS256"])
    assert body["identity"] == "li" and claims["grants"]["identity"] == "li"
    voice = claims["grants"]["voice"]
    assert voice["incoming"] == {"allow": True}
    assert voice["outgoing"]["application_sid"] == "AP" + "3" * 32


@pytest.mark.parametrize("app_config", [TWILIO_MODE])
def test_softphone_loads_the_vendored_voice_sdk_in_twilio_mode(client, session, login_as,
                                                              app_config):
    login_as(make_user(session, role="agent"))
    page = client.get("/softphone").get_data(as_text=True)
    src = "/static/ivr/vendor/twilio-voice-sdk-2.18.5.min.js"
    assert src in page
    sdk = client.get(src)
    assert sdk.status_code == 200 and b"Device" in sdk.data


def test_outbox_mode_softphone_needs_no_sdk(client, session, login_as):
    login_as(make_user(session, role="agent"))
    assert "twilio-voice-sdk" not in client.get("/softphone").get_data(as_text=True)


def test_voice_token_without_keys_is_a_clear_error(client, session, login_as):
    login_as(make_user(session, role="agent"))
    response = client.get("/softphone/token", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "TWILIO_API_KEY_SID" in response.get_json()["error"]["message"]


def test_screen_pop_shows_the_household_file_r30(client, session, login_as, make_caller):
    account = make_customer(session, phones=(CALLER,), name="李四", account_number="100777")
    agent = make_user(session, role="agent", username="zhou")
    session.commit()
    login_as(agent)
    assert "李四" not in client.get("/softphone/current").get_data(as_text=True)
    caller, _ = _queued(make_caller, CALLER)
    caller.request("/ivr/queue/connect?agent=zhou", QueueTime="4")
    html = client.get("/softphone/current").get_data(as_text=True)
    assert "李四" in html and account.account_number in html
    assert f"/workorders/new?from=%2B8613912345678&amp;call_sid={caller.sid}" in html


def test_callback_list_click_to_call_and_result(client, session, login_as, make_caller,
                                                clock):
    agent = make_user(session, role="agent", username="wu")
    session.commit()
    caller, step = _queued(make_caller, CALLER)
    clock.advance(seconds=20)  # longer than a short abandon (R2)
    caller.request(step["action"], QueueResult="hangup")
    login_as(agent)
    page = client.get("/telephony/callbacks").get_data(as_text=True)
    assert CALLER in page
    request = session.scalar(select(CallbackRequest))
    client.post(f"/telephony/callbacks/{request.id}/call", data={"csrf_token": _csrf(client)})
    session.expire_all()
    assert request.attempts == 1 and request.last_attempt_by_id == agent.id
    call = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "call"))
    assert call.to_number == "client:wu"
    assert call.call_url == ("https://hotline.example.test/ivr/outbound/connect?callback="
                             f"{request.id}")
    client.post(f"/telephony/callbacks/{request.id}/result",
                data={"result": "reached", "csrf_token": _csrf(client)})
    session.expire_all()
    assert request.result == "reached"
    again = client.post(f"/telephony/callbacks/{request.id}/call",
                        data={"csrf_token": _csrf(client)})
    assert again.status_code == 409


def test_outbound_connect_dials_the_customer(twilio_post, session, make_caller, clock):
    from tests.ivr.conftest import check_twiml

    caller, step = _queued(make_caller, CALLER)
    clock.advance(seconds=20)  # longer than a short abandon (R2)
    caller.request(step["action"], QueueResult="hangup")
    request = session.scalar(select(CallbackRequest))
    root = check_twiml(twilio_post(f"/ivr/outbound/connect?callback={request.id}", {
        "CallSid": "CAout", "From": "+861012345", "To": "client:wu"}).get_data(as_text=True))
    assert root.find("Dial/Number").text == CALLER
    assert root.find("Dial").get("callerId") == "+861012345"


def test_outbox_masks_phones_for_agents_not_supervisors(client, session, login_as, clock):
    from hotline.telephony.outbox import queue_sms

    queue_sms(session, CALLER, "hello there", now=clock.now())
    agent = make_user(session, role="agent")
    supervisor = make_user(session, role="supervisor")
    session.commit()
    login_as(agent)
    page = client.get("/telephony/outbox").get_data(as_text=True)
    assert "hello there" in page and CALLER not in page and "+86139****5678" in page
    client.post("/logout", data={"csrf_token": _csrf(client)})
    login_as(supervisor)
    assert CALLER in client.get("/telephony/outbox").get_data(as_text=True)


def test_follow_up_call_from_a_previous_call(client, session, login_as, make_caller):
    caller = make_caller(CALLER)
    caller.dial()
    agent = make_user(session, role="agent", username="he")
    session.commit()
    login_as(agent)
    call = session.scalar(select(Call))
    client.post(f"/telephony/calls/{call.id}/call", data={"csrf_token": _csrf(client)})
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "call"))
    assert message.call_url.endswith(f"/ivr/outbound/connect?call={call.id}")


def test_r5_screen_pop_warns_when_an_enquiry_call_passes_5_minutes(client, session, login_as,
                                                                   make_caller, clock):
    agent = make_user(session, role="agent", username="qin")
    session.commit()
    login_as(agent)
    caller, _ = _queued(make_caller, CALLER)  # key 0: the general queue, an enquiry
    caller.request("/ivr/queue/connect?agent=qin", QueueTime="3")
    html = client.get("/softphone/current").get_data(as_text=True)
    assert 'data-enquiry-seconds="300"' in html and "enquiry-warning" not in html
    clock.advance(minutes=4, seconds=59)
    assert "enquiry-warning" not in client.get("/softphone/current").get_data(as_text=True)
    clock.advance(seconds=1)
    html = client.get("/softphone/current").get_data(as_text=True)
    assert 'id="enquiry-warning"' in html and "R5" in html


def test_r5_no_enquiry_warning_on_a_leak_report(client, session, login_as, make_caller, clock):
    from ivr.calls import set_availability

    agent = make_user(session, role="agent", username="yan")
    set_availability(session, agent, True, now=clock.now())
    session.commit()
    login_as(agent)
    leak = make_caller(CALLER)
    leak.request("/ivr/voice?lang=en")
    leak.press("4")
    assert leak.press("1")["name"] == "hotline-priority"
    leak.request("/ivr/queue/connect?agent=yan", QueueTime="3")
    clock.advance(minutes=30)
    html = client.get("/softphone/current").get_data(as_text=True)
    assert 'id="current-call"' in html
    assert "enquiry-warning" not in html and "data-enquiry-seconds" not in html
