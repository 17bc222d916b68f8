"""The Twilio adapter against a fake `twilio.http.HttpClient`, driven by the delivery
worker's step: success, permanent 4xx errors (recorded, not retried, supervisors told),
429/5xx/timeouts (retried with backoff, never lost). Nothing is sent on commit."""

import json
import logging
from datetime import timedelta

from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import select
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from hotline.notifications.models import Notification
from hotline.telephony.delivery import deliver_due
from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import MAX_ATTEMPTS, queue_call, queue_sms
from hotline.telephony.plugin import make_adapter, telephony
from hotline.telephony.twilio_adapter import TwilioAdapter

# The delivery worker claims and records in transactions of its own (other connections,
# threads): these tests commit for real.
pytestmark = pytest.mark.commits


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


def test_sms_is_sent_by_the_worker_never_on_commit(app, session, clock, fake):
    fake.replies.append(ok("SM123"))
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    assert fake.requests == []  # the transaction only wrote the outbox row
    assert deliver_due(app) == 1
    method, url, data = fake.requests[0]
    assert method == "POST" and url.endswith("/Messages.json")
    assert data == {"To": "+8613912345678", "From": "+861088886666", "Body": "hello",
                    "StatusCallback": "https://hotline.example.test/webhooks/twilio/sms-status"}
    session.expire_all()
    message = session.scalar(select(OutboxMessage))
    assert (message.status, message.provider_sid, message.attempts) == ("sent", "SM123", 1)
    assert (message.claimed_by, message.claimed_until, message.sent_at) == (
        None, None, clock.now())
    assert deliver_due(app) == 0 and len(fake.requests) == 1


def test_call_is_placed_with_its_twiml_url(app, session, clock, fake):
    fake.replies.append(ok("CA9"))
    queue_call(session, "client:li", "https://hotline.example.test/ivr/outbound/connect?call=1",
               "follow-up", now=clock.now())
    session.commit()
    deliver_due(app)
    _, url, data = fake.requests[0]
    assert url.endswith("/Calls.json") and data["To"] == "client:li"
    assert data["Url"] == "https://hotline.example.test/ivr/outbound/connect?call=1"


def test_4xx_is_permanent_recorded_not_retried_and_supervisors_told(app, session, clock,
                                                                    fake):
    fake.replies.append(error(400, 21211, "The 'To' number is not a valid phone number."))
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    assert deliver_due(app) == 1
    session.expire_all()
    message = session.scalar(select(OutboxMessage))
    assert message.status == "failed" and message.claimed_by is None
    assert message.last_error.startswith("21211 ")
    assert "not a valid phone number" in message.last_error
    clock.advance(days=1)
    assert deliver_due(app) == 0
    notice = session.scalar(select(Notification).where(Notification.kind == "outbox"))
    assert (notice.recipient_role, notice.severity, notice.link) == (
        "supervisor", "error", "/telephony/outbox")
    assert notice.title == f"消息 #{message.id} 发送失败"  # the configured locale, zh_CN
    assert "+86139****5678" in notice.body and "13912345678" not in notice.body


@pytest.mark.parametrize("failure", [
    error(429, 20429, "Too Many Requests"),
    error(503, 20503, "Service Unavailable"),
    OSError("timed out"),
    requests.exceptions.ReadTimeout("read timed out"),
])
def test_transient_failures_are_retried_with_backoff(app, session, clock, fake, failure):
    fake.replies += [failure, failure, ok("SM7")]
    start = clock.now()
    queue_sms(session, "+8613912345678", "hello", now=start)
    session.commit()
    assert deliver_due(app) == 1
    session.expire_all()
    message = session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == start + timedelta(seconds=30)
    # Not before the backoff has passed.
    clock.set(start + timedelta(seconds=29))
    assert deliver_due(app) == 0
    clock.set(start + timedelta(seconds=30))
    assert deliver_due(app) == 1
    session.expire_all()
    assert message.next_attempt_at == start + timedelta(seconds=30 + 60)
    clock.set(start + timedelta(seconds=90))
    assert deliver_due(app) == 1
    session.expire_all()
    assert (message.status, message.provider_sid, message.attempts, message.last_error) == (
        "sent", "SM7", 3, "")
    assert session.scalar(select(Notification)) is None


def test_a_message_that_keeps_failing_is_kept_as_failed(app, session, clock, fake):
    fake.replies += [error(500, 20500, "Internal Server Error")] * MAX_ATTEMPTS
    start = clock.now()
    queue_sms(session, "+8613912345678", "hello", now=start)
    session.commit()
    for hours in range(MAX_ATTEMPTS):
        clock.set(start + timedelta(hours=hours))
        assert deliver_due(app) == 1
    clock.set(start + timedelta(days=9))
    assert deliver_due(app) == 0
    session.expire_all()
    message = session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert "Internal Server Error" in message.last_error
    notices = session.scalars(select(Notification).where(Notification.kind == "outbox")).all()
    assert len(notices) == 1 and f"{MAX_ATTEMPTS}" in notices[0].body


def test_the_deliver_command_sends_what_is_due(app, session, clock, fake):
    fake.replies += [error(503, 20503, "Service Unavailable"), ok("SM8")]
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["telephony", "deliver"]).output.strip() == "1 attempted"
    assert runner.invoke(args=["telephony", "deliver"]).output.strip() == "0 attempted"
    clock.advance(seconds=30)
    assert runner.invoke(args=["telephony", "deliver"]).output.strip() == "1 attempted"
    session.expire_all()
    assert session.scalar(select(OutboxMessage)).status == "sent"


def test_the_client_timeout_comes_from_the_configuration(app):
    """TWILIO_HTTP_TIMEOUT_SECONDS bounds every request of the production client."""
    assert app.config["TWILIO_HTTP_TIMEOUT_SECONDS"] == 10.0  # the default
    configured = SimpleNamespace(config={**app.config, "TWILIO_HTTP_CLIENT": None,
                                         "TWILIO_HTTP_TIMEOUT_SECONDS": 3.5})
    adapter = make_adapter(configured)
    assert isinstance(adapter.client.http_client, TwilioHttpClient)
    assert adapter.client.http_client.timeout == 3.5
    with pytest.raises(ValueError):
        TwilioAdapter("AC" + "1" * 32, "token", "+1", timeout=0)


def test_a_rolled_back_transaction_leaves_nothing_to_send(app, session, clock, fake):
    queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.rollback()
    assert deliver_due(app) == 0 and fake.requests == []
