"""Every Twilio endpoint refuses requests without a valid signature (403), checked with the
Twilio SDK's RequestValidator over the URL as Twilio called it; refusals are logged."""

import logging

import pytest
from twilio.request_validator import RequestValidator

from hotline.logging import JsonFormatter
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN


def sign(url, params):
    return RequestValidator(TWILIO_TOKEN).compute_signature(url, params)


PARAMS = {"CallSid": "CA0001", "From": "+8613912345678", "To": "+861012345"}
ENDPOINTS = ["/ivr/voice", "/ivr/menu?lang=zh&attempt=0", "/ivr/agent", "/ivr/queue/wait",
             "/ivr/queue/connect?agent=a", "/ivr/voicemail", "/webhooks/twilio/call-status"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_unsigned_request_is_refused(client, path):
    assert client.post(path, data=PARAMS).status_code == 403


@pytest.mark.parametrize("path", ENDPOINTS)
def test_wrong_token_is_refused(twilio_post, path):
    assert twilio_post(path, PARAMS, token="someone-elses-token").status_code == 403


def test_tampered_form_is_refused(client):
    signature = sign(PUBLIC_URL + "/ivr/voice", PARAMS)
    tampered = {**PARAMS, "From": "+8613800000000"}
    response = client.post("/ivr/voice", data=tampered,
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_tampered_query_is_refused(twilio_post):
    response = twilio_post("/ivr/menu?lang=en", {**PARAMS, "Digits": "1"},
                           signed_path="/ivr/menu?lang=zh")
    assert response.status_code == 403


def test_signed_request_is_accepted_and_needs_no_csrf_token(twilio_post):
    assert twilio_post("/ivr/voice", PARAMS).status_code == 200


def test_percent_encoded_query_is_validated_against_the_raw_query_string(twilio_post):
    # Werkzeug's request.url would decode %2B to "+": the signature must use the raw query.
    path = "/ivr/queue/connect?agent=a%2Bb&x=%E6%B0%B4"
    assert twilio_post(path, {**PARAMS, "QueueTime": "3"}).status_code == 200


class TestWithoutPublicUrl:
    @pytest.fixture
    def app_config(self):
        return {"HOTLINE_PUBLIC_URL": ""}

    def test_uses_the_proxied_scheme_and_host(self, client):
        url = "https://hotline.proxy.example/ivr/voice"
        signature = sign(url, PARAMS)
        headers = {"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https",
                   "X-Forwarded-Host": "hotline.proxy.example"}
        assert client.post("/ivr/voice", data=PARAMS, headers=headers).status_code == 200
        plain = {"X-Twilio-Signature": signature}
        assert client.post("/ivr/voice", data=PARAMS, headers=plain).status_code == 403


def test_signature_over_the_url_with_its_default_port_is_accepted(client):
    signature = sign("https://hotline.example.test:443/ivr/voice", PARAMS)
    response = client.post("/ivr/voice", data=PARAMS, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/ivr/voice", "/webhooks/twilio/call-status"])
def test_twilio_endpoints_set_no_cookie_and_refuse_in_json(client, twilio_post, path):
    refused = client.post(path, data=PARAMS)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert "Set-Cookie" not in refused.headers
    accepted = twilio_post(path, {**PARAMS, "CallStatus": "ringing"})
    assert accepted.status_code in (200, 204)
    assert "Set-Cookie" not in accepted.headers


def test_repeated_form_fields_are_signed_as_twilio_signs_them(client):
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("CallSid", "CA0001"), ("CallStatus", "ringing"), ("A", "z"),
                      ("A", "a")])
    url = PUBLIC_URL + "/webhooks/twilio/call-status"
    every_value = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    one_value = sign(url, {"CallSid": "CA0001", "CallStatus": "ringing", "A": "a"})
    for signature, status in ((every_value, 204), (one_value, 403)):
        response = client.post("/webhooks/twilio/call-status", data=form,
                               headers={"X-Twilio-Signature": signature})
        assert response.status_code == status


@pytest.fixture
def refusals():
    """What the signature check logs (the `hotline` loggers do not propagate to pytest's)."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("hotline.telephony.signature")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_refusal_is_logged_with_the_url_tried_and_masked_numbers(client, refusals):
    path = "/ivr/menu?lang=zh&caller=+8613912345678"
    response = client.post(path, data=PARAMS, headers={"X-Twilio-Signature": "bad"})
    assert response.status_code == 403
    (record,) = refusals
    assert record.levelno == logging.WARNING
    assert record.fields["url"] == PUBLIC_URL + path  # the raw query, as it was signed
    line = JsonFormatter().format(record)
    assert "https://hotline.example.test/ivr/menu?lang=zh" in line
    assert "mismatch" in line and "HOTLINE_PUBLIC_URL" in line
    assert "13912345678" not in line


def test_a_missing_signature_is_logged_as_missing(client, refusals):
    assert client.post("/ivr/voice", data=PARAMS).status_code == 403
    (record,) = refusals
    assert "missing" in record.getMessage()
    assert PUBLIC_URL + "/ivr/voice" in record.getMessage()


def test_an_accepted_request_logs_nothing(twilio_post, refusals):
    assert twilio_post("/ivr/voice", PARAMS).status_code == 200
    assert refusals == []


def test_an_oversize_body_is_refused_with_413_and_creates_no_call(client, twilio_post,
                                                                  session):
    from sqlalchemy import func, select

    from ivr.models import Call

    big = {**PARAMS, "SpeechResult": "x" * (1024 * 1024 + 1)}
    response = twilio_post("/ivr/voice", big)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"]
    assert session.scalar(select(func.count()).select_from(Call)) == 0
