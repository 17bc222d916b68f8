"""The phone simulator (outbox mode only): a caller's handset in the browser. Every step is
a signed request to the app's own webhooks through `ivr.driver`, the way Twilio would.

It can pose as any number and hear any account's balance, so only those who talk to callers
use it (agents, supervisors, administrators; never department staff), and it is off when
HOTLINE_ENV=production unless HOTLINE_SIMULATOR=1."""

from __future__ import annotations

import uuid

from flask import Flask, Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import login_required
from sqlalchemy import select

from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.phones import try_e164
from hotline.errors import ValidationFailed
from hotline.extensions import db
from hotline.telephony.signature import public_base
from ivr import calls, recordings
from ivr.driver import post, parse, read
from ivr.models import Call

bp = Blueprint("ivr_simulator", __name__, url_prefix="/simulator",
               template_folder="templates")
STATUS_URL = "/webhooks/twilio/call-status"
MAX_HOPS = 12
ROLES = roles.HOTLINE  # never department staff (issue 15)


def enabled(app: Flask) -> bool:
    """Outbox mode only; in production only when HOTLINE_SIMULATOR=1 (config or env)."""
    if app.config["HOTLINE_TELEPHONY"] != "outbox":
        return False
    if app.config["HOTLINE_ENV"] != "production":
        return True
    return bool(app.config["HOTLINE_SIMULATOR"])


@bp.before_request
def _available():
    if not enabled(current_app):
        abort(404)


def base_params(call_sid: str, caller: str) -> dict[str, str]:
    return {"AccountSid": current_app.config["TWILIO_ACCOUNT_SID"], "CallSid": call_sid,
            "From": caller, "To": current_app.config["TWILIO_PHONE_NUMBER"],
            "Direction": "inbound", "CallStatus": "in-progress", "ApiVersion": "2010-04-01"}


def run(path: str, params: dict[str, str], queue: dict | None = None) -> dict:
    """Request `path`, then follow Redirects (and a Leave to the Enqueue action) until the
    call waits for the caller or ends."""
    base = {k: v for k, v in params.items() if k not in ("Digits",)}
    says = []
    for _ in range(MAX_HOPS):
        step = read(parse(post(path, params)))
        says += [{"text": s.text, "language": s.language} for s in step.says]
        kind = step.next["type"]
        if kind == "redirect":
            path, params = step.next["url"], base
            continue
        if kind == "leave" and queue:
            path, params, queue = queue["action"], {**base, "QueueResult": "leave"}, None
            continue
        if kind == "queue":
            queue = step.next
            # Twilio queues the caller once the prompt is spoken and requests the wait URL
            # at once (QueueTime=0): the moment R1 counts from. Its words are heard on the
            # next wait.
            post(queue["waitUrl"], {**base, "QueuePosition": "1", "QueueTime": "0",
                                    "AvgQueueTime": "0", "CurrentQueueSize": "1"})
        if kind == "end" and queue is not None:
            # The wait URL's TwiML ran out: Twilio keeps the caller queued and asks again.
            return {"says": says, "next": {"type": "queue", **queue}, "queue": queue}
        if kind in ("hangup", "end"):
            finish(base["CallSid"], base["From"])
            queue = None
        return {"says": says, "next": step.next, "queue": queue}
    raise ValidationFailed("the call looped without waiting for the caller")


def finish(call_sid: str, caller: str) -> None:
    call = _call(call_sid)
    duration = int((utcnow() - call.started_at).total_seconds()) if call else 0
    post(STATUS_URL, {**base_params(call_sid, caller), "CallStatus": "completed",
                      "CallDuration": str(duration), "SequenceNumber": "9"})


def _call(call_sid: str) -> Call | None:
    db.session.commit()  # end the read snapshot: the webhooks wrote in their own sessions
    return db.session.scalar(select(Call).where(Call.call_sid == call_sid))


def _payload() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("a JSON object is required")
    return data


def _required(data: dict, *names: str) -> list[str]:
    missing = {n: "required" for n in names if not isinstance(data.get(n), str) or not data[n]}
    if missing:
        raise ValidationFailed("missing fields", fields=missing)
    return [data[n] for n in names]


def _local(path: str) -> str:
    if not path.startswith("/ivr/"):
        raise ValidationFailed("only IVR steps can be requested", fields={"url": "not /ivr/"})
    return path


@bp.route("/")
@login_required
@require_role(*ROLES)
def page():
    return render_template("ivr/simulator.html")


@bp.route("/api/start", methods=["POST"])
@login_required
@require_role(*ROLES)
def start():
    (caller,) = _required(_payload(), "from")
    e164 = try_e164(caller)
    if e164 is None:
        raise ValidationFailed("not a valid phone number", fields={"from": caller})
    call_sid = "CA" + uuid.uuid4().hex
    result = run("/ivr/voice", base_params(call_sid, e164))
    return jsonify({"call_sid": call_sid, "from": e164, **result})


@bp.route("/api/step", methods=["POST"])
@login_required
@require_role(*ROLES)
def step():
    data = _payload()
    call_sid, caller, path = _required(data, "call_sid", "from", "url")
    digits = data.get("digits") or ""
    params = base_params(call_sid, caller)
    if digits:
        params["Digits"] = str(digits)[:32]
    if isinstance(data.get("speech"), str) and data["speech"].strip():
        # What Twilio's speech recognition would hear (`<Gather input="speech">`).
        params["SpeechResult"], params["Confidence"] = data["speech"].strip()[:500], "0.9"
    queue = data.get("queue") if isinstance(data.get("queue"), dict) else None
    return jsonify(run(_local(path), params, queue))


@bp.route("/api/wait", methods=["POST"])
@login_required
@require_role(*ROLES)
def wait():
    data = _payload()
    call_sid, caller = _required(data, "call_sid", "from")
    queue = data.get("queue") if isinstance(data.get("queue"), dict) else None
    call = _call(call_sid)
    if call is None or queue is None:
        raise ValidationFailed("no such call in a queue", fields={"call_sid": call_sid})
    if call.answered_at is not None:
        agent = call.agent.label if call.agent else ""
        return jsonify({"says": [], "next": {"type": "bridged", "agent": agent},
                        "queue": queue})
    waiting = calls.waiting_calls(db.session, call.queue_name)
    position = next((i for i, c in enumerate(waiting, 1) if c.id == call.id), 1)
    # The first wait-URL request (QueueTime=0) is when the caller is really queued (R1).
    waited = int((utcnow() - (call.entered_queue_at or utcnow())).total_seconds())
    params = {**base_params(call_sid, caller), "QueuePosition": str(position),
              "QueueTime": str(waited), "AvgQueueTime": str(average_wait(call.queue_name)),
              "CurrentQueueSize": str(len(waiting))}
    return jsonify(run(_local(queue["waitUrl"]), params, queue))


def average_wait(queue_name: str) -> int:
    recent = db.session.scalars(
        select(Call.answer_seconds).where(Call.queue_name == queue_name,
                                          Call.answer_seconds.is_not(None))
        .order_by(Call.answered_at.desc()).limit(20)).all()
    return int(sum(recent) / len(recent)) if recent else 0


@bp.route("/api/record", methods=["POST"])
@login_required
@require_role(*ROLES)
def record():
    data = _payload()
    call_sid, caller, action, message = _required(data, "call_sid", "from", "action", "message")
    params = base_params(call_sid, caller)
    recording = f"{request.host_url}simulator/recordings/{call_sid}"
    result = run(_local(action), {**params, "RecordingUrl": recording,
                                  "RecordingSid": "RE" + uuid.uuid4().hex,
                                  "RecordingDuration": str(max(1, len(message) // 3))})
    callback = data.get("transcribeCallback") or ""
    if callback:
        post(_local(callback), {**params, "RecordingUrl": recording,
                                "TranscriptionStatus": "completed",
                                "TranscriptionText": message[:2000]})
    return jsonify(result)


@bp.route("/api/hangup", methods=["POST"])
@login_required
@require_role(*ROLES)
def hangup():
    data = _payload()
    call_sid, caller = _required(data, "call_sid", "from")
    call = _call(call_sid)
    if call is None:
        raise ValidationFailed("no such call", fields={"call_sid": call_sid})
    if call.ended_at is None:
        if call.entered_queue_at is not None and call.outcome in (None, "answered"):
            result = "bridged" if call.answered_at else "hangup"
            post(f"/ivr/queue/done?lang={call.language}",
                 {**base_params(call_sid, caller), "QueueResult": result})
        finish(call_sid, caller)
        recording_done(_call(call_sid))
    return jsonify({"says": [], "next": {"type": "hangup"}})


def answer_next(username: str) -> dict:
    """The agent's softphone calls the TwiML App (`/ivr/agent`); Twilio would then bridge the
    queue's oldest caller, requesting the `<Queue url>` on the caller's leg."""
    agent_sid = "CA" + uuid.uuid4().hex
    params = {**base_params(agent_sid, f"client:{username}"),
              "To": current_app.config.get("TWILIO_TWIML_APP_SID") or "softphone"}
    step = read(parse(post("/ivr/agent", params)))
    says = [{"text": s.text, "language": s.language} for s in step.says]
    if step.next.get("type") != "dequeue":
        return {"says": says, "answered": None}
    waiting = calls.waiting_calls(db.session, step.next["name"], prompted=True)
    if not waiting:
        return {"says": says, "answered": None}
    caller = waiting[0]
    entered = caller.entered_queue_at or caller.asked_at
    waited = int((utcnow() - entered).total_seconds())
    post(step.next["url"], {**base_params(caller.call_sid, caller.from_number),
                            "QueueSid": "QU" + uuid.uuid4().hex[:32],
                            "DequeingCallSid": agent_sid, "QueueTime": str(waited)})
    return {"says": says, "answered": caller.call_sid}


def hang_up_agent_call(call: Call) -> None:
    post(f"/ivr/queue/done?lang={call.language}",
         {**base_params(call.call_sid, call.from_number), "QueueResult": "bridged"})
    finish(call.call_sid, call.from_number)
    recording_done(call)


def recording_done(call: Call) -> None:
    """A bridged call on a recorded line is over: the `<Dial record>` of the agent's leg
    ends with it, and its recording callback names the agent's leg, as Twilio's does."""
    if call.agent_call_sid and recordings.line_records(current_app.config, call.to_number):
        seconds = int((utcnow() - (call.answered_at or utcnow())).total_seconds())
        post(recordings.CALLBACK_PATH, {
            **base_params(call.agent_call_sid, f"client:{call.agent.username}"
                          if call.agent else "client:agent"),
            "RecordingSid": "RE" + uuid.uuid4().hex, "RecordingStatus": "completed",
            "RecordingUrl": f"{public_base()}/simulator/recordings/{call.call_sid}",
            "RecordingDuration": str(max(1, seconds)), "RecordingSource": "DialVerb"})


@bp.route("/recordings/<call_sid>")
@login_required
@require_role(*ROLES)
def recording(call_sid: str):
    call = _call(call_sid)
    if call is None:
        abort(404)
    return jsonify({"call_sid": call_sid, "transcription": call.transcription})
