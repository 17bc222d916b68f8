"""SMS status callbacks: a message Twilio accepted but could not deliver shows as failed."""

import pytest
from sqlalchemy import select

from hotline.telephony.delivery import deliver_due
from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import queue_sms
from tests.ivr.conftest import twilio_post  # noqa: F401 (fixture)

# The delivery worker claims and records in transactions of its own (other connections,
# threads): these tests commit for real.
pytestmark = pytest.mark.commits

URL = "/webhooks/twilio/sms-status"


@pytest.fixture
def sent(app, session, clock):
    message = queue_sms(session, "+8613912345678", "hello", now=clock.now())
    session.commit()
    assert deliver_due(app) == 1  # the delivery worker's step
    session.refresh(message)
    assert message.status == "sent"
    message.provider_sid = "SMabc"
    session.commit()
    return message


def test_undelivered_sms_is_marked_failed_with_the_error_code(twilio_post, session, sent):
    params = {"MessageSid": "SMabc", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert twilio_post(URL, params).status_code == 204
    assert twilio_post(URL, params).status_code == 204  # a replay
    session.expire_all()
    assert (sent.status, sent.last_error) == ("failed", "30003 undelivered")


def test_delivered_or_unknown_messages_change_nothing(twilio_post, session, sent):
    assert twilio_post(URL, {"MessageSid": "SMabc", "MessageStatus": "delivered"}
                       ).status_code == 204
    assert twilio_post(URL, {"MessageSid": "SMother", "MessageStatus": "failed"}
                       ).status_code == 204
    session.expire_all()
    assert session.scalar(select(OutboxMessage)).status == "sent"


def test_unsigned_sms_status_is_refused(client):
    assert client.post(URL, data={"MessageSid": "SMabc"}).status_code == 403


