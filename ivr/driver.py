"""Drives the app's own Twilio webhooks the way Twilio would: form parameters, a valid
signature over the public URL, a request through the full WSGI stack; parses the TwiML
that comes back. Used by the phone simulator (outbox mode) and the "answer next caller"
button, so demos and browser tests exercise the real code path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from flask import current_app

from hotline.telephony.signature import SIGNATURE_HEADER, public_base, sign


class DriveError(RuntimeError):
    pass


@dataclass
class Said:
    text: str
    language: str


@dataclass
class Step:
    """What the caller hears and what happens next: `next` is one of gather, queue, record,
    dial, hangup (with the URLs it needs)."""

    says: list[Said] = field(default_factory=list)
    next: dict = field(default_factory=dict)


def post(path: str, params: dict[str, str]) -> str:
    """POST `path` (with its query) as Twilio would; return the response body."""
    base = public_base()
    parts = urlsplit(urljoin(base + "/", path))
    local_path = parts.path + (f"?{parts.query}" if parts.query else "")
    signature = sign(current_app.config["TWILIO_AUTH_TOKEN"], base + local_path, params)
    app = current_app._get_current_object()
    # A fresh app context: the webhook gets its own database session, as in production.
    with app.app_context():
        response = app.test_client().post(local_path, data=params, base_url=base,
                                          headers={SIGNATURE_HEADER: signature})
        body = response.get_data(as_text=True)
    if response.status_code >= 400:
        raise DriveError(f"{path} answered {response.status_code}")
    return body


def parse(twiml: str) -> ET.Element:
    root = ET.fromstring(twiml)
    if root.tag != "Response":
        raise DriveError("TwiML must have <Response> at its root")
    return root


def read(root: ET.Element) -> Step:
    """Walk the verbs until one that waits for the caller or ends the call. A `<Redirect>`
    is reported as next={'type': 'redirect'} for the caller to follow."""
    step = Step()
    for verb in root:
        if verb.tag == "Say":
            step.says.append(Said(verb.text or "", verb.get("language", "")))
        elif verb.tag == "Gather":
            for inner in verb:
                if inner.tag == "Say":
                    step.says.append(Said(inner.text or "", inner.get("language", "")))
            step.next = {"type": "gather", "action": verb.get("action", ""),
                         "input": verb.get("input", "dtmf"),
                         "numDigits": int(verb.get("numDigits") or 0),
                         "finishOnKey": verb.get("finishOnKey", "")}
            following = list(root)[list(root).index(verb) + 1:]
            redirect = next((v for v in following if v.tag == "Redirect"), None)
            step.next["timeout"] = redirect.text if redirect is not None else ""
            return step
        elif verb.tag == "Redirect":
            step.next = {"type": "redirect", "url": verb.text or ""}
            return step
        elif verb.tag == "Enqueue":
            step.next = {"type": "queue", "name": verb.text or "",
                         "waitUrl": verb.get("waitUrl", ""), "action": verb.get("action", "")}
            return step
        elif verb.tag == "Record":
            step.next = {"type": "record", "action": verb.get("action", ""),
                         "transcribeCallback": verb.get("transcribeCallback", "")}
            # An empty recording requests no action: Twilio goes on with the next verb.
            following = list(root)[list(root).index(verb) + 1:]
            redirect = next((v for v in following if v.tag == "Redirect"), None)
            step.next["empty"] = redirect.text if redirect is not None else ""
            return step
        elif verb.tag == "Leave":
            step.next = {"type": "leave"}
            return step
        elif verb.tag == "Dial":
            queue = verb.find("Queue")
            if queue is not None:
                step.next = {"type": "dequeue", "name": queue.text or "",
                             "url": queue.get("url", "")}
            else:
                step.next = {"type": "dial"}
            return step
        elif verb.tag == "Hangup":
            step.next = {"type": "hangup"}
            return step
    step.next = {"type": "end"}
    return step
