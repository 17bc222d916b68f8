"""IVR fixtures: Twilio-signed requests, a TwiML checker, a fake order desk and a caller
that follows a call through the menus like Twilio would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from twilio.request_validator import RequestValidator

from hotline.directory.phones import holder_matches
from ivr.driver import read
from hotline.registry import registry
from ivr.ports import IvrPorts, OrderStatus, VoicemailReport
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN

# Everything TwiML <Response> may contain for voice (verbs and nouns).
TWIML_TAGS = {"Response", "Say", "Play", "Pause", "Gather", "Redirect", "Enqueue", "Leave",
              "Hangup", "Record", "Dial", "Queue", "Number", "Client", "Reject", "Task"}


def check_twiml(text: str) -> ET.Element:
    """Valid XML, a <Response> root, only Twilio voice verbs and nouns; every Say has a
    language and voice that belong together."""
    root = ET.fromstring(text)
    assert root.tag == "Response"
    for element in root.iter():
        assert element.tag in TWIML_TAGS, f"not a TwiML verb: {element.tag}"
        if element.tag == "Say":
            pair = (element.get("language"), element.get("voice"))
            assert pair in {("cmn-CN", "Polly.Zhiyu"), ("en-US", "Polly.Joanna")}, pair
            assert (element.text or "").strip()
    return root


@pytest.fixture
def twilio_post(client):
    """POST like Twilio: form params and a signature over the public URL."""

    def _post(path: str, params: dict[str, str] | None = None, *, token: str = TWILIO_TOKEN,
              signed_path: str | None = None, signature: str | None = None, headers=None):
        params = params or {}
        sig = signature if signature is not None else RequestValidator(
            token).compute_signature(PUBLIC_URL + (signed_path or path), params)
        all_headers = {"X-Twilio-Signature": sig, **(headers or {})}
        return client.post(path, data=params, headers=all_headers)

    return _post


@dataclass
class FakeDesk:
    orders: dict[str, OrderStatus] = field(default_factory=dict)
    voicemails: list[VoicemailReport] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    transcriptions: list[tuple[str, str]] = field(default_factory=list)
    drafts: list[tuple[str, str]] = field(default_factory=list)
    # order number -> the contact's E.164; like the real desk, only a yes/no leaves it (R27)
    contacts: dict[str, str] = field(default_factory=dict)
    holder_checks: list[tuple[str, str | None, str]] = field(default_factory=list)

    def status(self, session, number: str) -> OrderStatus | None:
        self.lookups.append(number)
        return self.orders.get(number)

    def is_holder(self, session, number: str, *, caller: str | None = None,
                  last_digits: str = "") -> bool:
        self.holder_checks.append((number, caller, last_digits))
        return holder_matches([self.contacts.get(number, "")], caller=caller,
                              last_digits=last_digits)

    def log_voicemail(self, session, report: VoicemailReport, *, now: datetime) -> str:
        self.voicemails.append(report)
        return f"WO-2026-{len(self.voicemails):05d}"

    def add_transcription(self, session, number: str, text: str, *, now: datetime) -> bool:
        self.transcriptions.append((number, text))
        return True

    def add_spoken_draft(self, session, number: str, text: str, *, now: datetime) -> bool:
        self.drafts.append((number, text))
        return True

    def may_hear(self, session, call_sid: str, user) -> bool | None:
        return None


@pytest.fixture
def desk(app):
    fake = FakeDesk()
    ports = registry(app).port(IvrPorts)
    real, ports.order_desk = ports.order_desk, fake
    yield fake
    ports.order_desk = real


class Caller:
    """One call: dial, press keys, follow redirects; keeps everything that was said."""

    def __init__(self, twilio_post, call_sid: str, number: str):
        self.post = twilio_post
        self.sid = call_sid
        self.number = number
        self.heard: list[str] = []
        self.next: dict = {}
        self.responses: list[ET.Element] = []

    def params(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.sid, "From": self.number, "To": "+861012345",
                "Direction": "inbound", "CallStatus": "in-progress", **extra}

    def request(self, path: str, **extra: str) -> dict:
        for _ in range(10):
            response = self.post(path, self.params(**extra))
            assert response.status_code == 200, response.get_data(as_text=True)
            root = check_twiml(response.get_data(as_text=True))
            self.responses.append(root)
            step = read(root)
            self.heard += [s.text for s in step.says]
            if step.next["type"] != "redirect":
                self.next = step.next
                return step.next
            path, extra = step.next["url"], {}
        raise AssertionError("redirect loop")

    def dial(self) -> dict:
        return self.request("/ivr/voice")

    def press(self, digits: str) -> dict:
        assert self.next["type"] == "gather", self.next
        return self.request(self.next["action"], Digits=digits)

    def silence(self) -> dict:
        assert self.next["type"] == "gather", self.next
        return self.request(self.next["timeout"])

    def said(self, fragment: str) -> bool:
        return any(fragment in text for text in self.heard)


@pytest.fixture
def make_caller(twilio_post):
    counter = iter(range(1, 10_000))

    def _make(number: str = "+8613912345678") -> Caller:
        return Caller(twilio_post, f"CA{next(counter):032d}", number)

    return _make
