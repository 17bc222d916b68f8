"""The Twilio adapter against a fake `twilio.http.HttpClient`: success, permanent 4xx errors
(recorded, not retried), 429/5xx/timeouts (retried with backoff, never lost)."""

import json
import logging
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select
from twilio.http import HttpClient
from twilio.http.response import Response

from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import MAX_ATTEMPTS, deliver_pending, queue_call, queue_sms
from hotline.telephony.plugin import telephony
from hotline.telephony.twilio_adapter import TwilioAdapter


class FakeTwilio(HttpClient):
    """Answers with queued responses (or raises queued exceptions); records requests."""

    def __init__(self):
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)
        self.replies = []
        self.requests = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        self.requests.append((method, url, dict(data or {})))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def ok(sid):
    return Response(201, json.dumps({"sid": sid, "status": "queued"}))


def error(status, code, message):
    return Response(status, json.dumps({"code": code, "message": message, "status": status}))


@pytest.fixture
def fake():
    return FakeTwilio()


@pytest.fixture
def app_config(fake):
    return {"HOTLINE_TELEPHONY": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_PHONE_NUMBER": "+861088886666", "TWILIO_HTTP_CLIENT": fake}


def test_app_uses_the_twilio_adapter(app):
    assert isinstance(telephony(app), TwilioAdapter)


def test_sms_is_sent_after_commit(app, session, clock, fake):
    fake.replies.append(ok("SM123"))
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    assert fake.requests == []  # nothing leaves before the commit
    session.commit()
    method, url, data = fake.requests[0]
    assert method == "POST" and url.endswith("/Messages.json")
    assert data == {"To": "+8613912345678", "From": "+861088886666", "Body": "hello",
                    "StatusCallback": "https://hotline.example.test/webhooks/twilio/sms-status"}
    message = session.scalar(select(OutboxMessage))
    session.refresh(message)
    assert (message.status, message.provider_sid, message.attempts) == ("sent", "SM123", 1)


def test_call_is_placed_with_its_twiml_url(app, session, clock, fake):
    fake.replies.append(ok("CA9"))
    queue_call(session, "client:li", "https://hotline.example.test/ivr/outbound/connect?call=1",
               "follow-up", now=clock.now())
    session.commit()
    _, url, data = fake.requests[0]
    assert url.endswith("/Calls.json") and data["To"] == "client:li"
    assert data["Url"] == "https://hotline.example.test/ivr/outbound/connect?call=1"


def test_4xx_is_permanent_recorded_and_not_retried(app, session, clock, fake):
    fake.replies.append(error(400, 21211, "The 'To' number is not a valid phone number."))
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    message = session.scalar(select(OutboxMessage))
    session.refresh(message)
    assert message.status == "failed"
    assert message.last_error.startswith("21211 ")
    assert "not a valid phone number" in message.last_error
    assert deliver_pending(session, telephony(app), clock.now() + timedelta(days=1)) == 0


@pytest.mark.parametrize("failure", [
    error(429, 20429, "Too Many Requests"),
    error(503, 20503, "Service Unavailable"),
    OSError("timed out"),
    requests.exceptions.ReadTimeout("read timed out"),
])
def test_transient_failures_are_retried_with_backoff(app, session, clock, fake, failure):
    fake.replies += [failure, failure, ok("SM7")]
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    message = session.scalar(select(OutboxMessage))
    session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == clock.now() + timedelta(seconds=30)
    adapter = telephony(app)
    # Not before the backoff has passed.
    assert deliver_pending(session, adapter, clock.now() + timedelta(seconds=29)) == 0
    assert deliver_pending(session, adapter, clock.now() + timedelta(seconds=30)) == 1
    assert message.next_attempt_at == clock.now() + timedelta(seconds=30 + 60)
    assert deliver_pending(session, adapter, clock.now() + timedelta(seconds=90)) == 1
    session.commit()
    assert (message.status, message.provider_sid, message.attempts, message.last_error) == (
        "sent", "SM7", 3, "")


def test_a_message_that_keeps_failing_is_kept_as_failed(app, session, clock, fake):
    fake.replies += [error(500, 20500, "Internal Server Error")] * MAX_ATTEMPTS
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    for hours in range(1, MAX_ATTEMPTS):
        assert deliver_pending(session, telephony(app), clock.now() + timedelta(hours=hours)) == 1
    assert deliver_pending(session, telephony(app), clock.now() + timedelta(days=9)) == 0
    session.commit()
    message = session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert "Internal Server Error" in message.last_error
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.id == message.id))


def test_the_retry_pass_sends_what_is_due(app, session, clock, fake):
    fake.replies += [error(503, 20503, "Service Unavailable"), ok("SM8")]
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    assert app.test_cli_runner().invoke(
        args=["telephony", "deliver"]).output.strip() == "0 attempted"  # backing off
    clock.advance(seconds=30)
    result = app.test_cli_runner().invoke(args=["telephony", "deliver"])
    assert result.output.strip() == "1 attempted"
    session.expire_all()
    assert session.scalar(select(OutboxMessage)).status == "sent"


def test_production_client_has_a_request_timeout():
    adapter = TwilioAdapter("AC" + "1" * 32, "token", "+861012345")
    assert adapter.client.http_client.timeout == 15


def test_message_queued_before_a_savepoint_is_delivered_only_after_the_real_commit(
        app, session, clock, fake):
    """A savepoint released after queueing (add_once) is not the commit: delivering then
    would look for a row no other connection can see yet, and leave it pending."""
    from hotline.notifications.services import notify

    fake.replies.append(ok("SM9"))
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    notify(session, dedupe_key="n1", kind="test", title="t", now=clock.now())
    session.commit()
    session.expire_all()
    assert session.scalar(select(OutboxMessage)).status == "sent"
