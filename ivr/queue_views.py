"""The IVR's queue and agent webhooks (on the `ivr` blueprint of `ivr.voice`): the Enqueue
wait URL with the callback offer, the end of the wait, the bridge to an agent (the moment of
answer, R1), the agents' softphone voice URL and click-to-call."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.clock import utcnow
from hotline.extensions import db
from hotline.telephony.signature import public_base
from ivr import agent_states, calls, menus, recordings
from ivr.menus import _
from ivr.models import Call, CallbackRequest
from ivr.twiml import say, text, twiml, url, voice_of
from ivr.voice import bp, request_call, request_language, respond


def _callback_due() -> timedelta:
    return timedelta(minutes=current_app.config["IVR_CALLBACK_DUE_MINUTES"])


def _callback_sms(language: str) -> str:
    return text(_("Water hotline: we have your request and will call you back soon."),
                language)


def _short_abandon() -> timedelta:
    return timedelta(seconds=current_app.config["HOTLINE_SHORT_ABANDON_SECONDS"])


def callback_policy() -> calls.CallbackPolicy:
    """R2 and R3 as configured: for the status callback of a caller who hung up."""
    return calls.CallbackPolicy(_callback_due(), _short_abandon(), _callback_sms)


def _int_form(name: str) -> int:
    try:
        return int(request.form.get(name, "0"))
    except ValueError:
        return 0


@bp.route("/queue/wait", methods=["POST"])
def queue_wait():
    """The Enqueue wait URL: position and estimated wait; after IVR_CALLBACK_OFFER_SECONDS
    the offer to be called back (press 1). The first request (QueueTime=0) is the moment
    the caller is really queued, after the hold prompt was spoken (R1)."""
    language = request_language()
    calls.enter_queue(request_call(language), utcnow(), _int_form("QueueTime"))
    info = menus.WaitInfo(_int_form("QueuePosition"), _int_form("AvgQueueTime"),
                          _int_form("QueueTime"))
    offer_after = current_app.config["IVR_CALLBACK_OFFER_SECONDS"]
    response = VoiceResponse()
    lines = menus.wait_lines(info, offer_after)
    if menus.offer_callback(info, offer_after):
        g = response.gather(input="dtmf", num_digits=1, timeout=5, method="POST",
                            action=url("/ivr/queue/choice", lang=language))
        say(g, lines, language)
    else:
        say(response, lines, language)
        response.pause(length=10)
    return respond(response)


@bp.route("/queue/choice", methods=["POST"])
def queue_choice():
    language = request_language()
    call = request_call(language)
    response = VoiceResponse()
    if request.form.get("Digits") == menus.CALLBACK_KEY:
        call.add_step("callback")
        calls.request_callback(db.session, call, "requested", now=utcnow(),
                               due_in=_callback_due(), sms_body=_callback_sms(language))
        response.leave()
    else:
        say(response, menus.keep_waiting(), language)
    return respond(response)


@bp.route("/queue/done", methods=["POST"])
def queue_done():
    """The Enqueue action: arrives when the wait (or the whole bridged call) is over."""
    language = request_language()
    call = request_call(language)
    result = request.form.get("QueueResult", "")
    calls.close_from_queue(db.session, call, result, now=utcnow(), due_in=_callback_due(),
                           sms_body=_callback_sms(language), short_abandon=_short_abandon())
    if result == "bridged":  # the bridged call is over: its agent goes to wrap-up
        agent_states.end_call(db.session, call, utcnow())
    response = VoiceResponse()
    if result in ("leave", "queue-full", "error", "system-error"):
        say(response, menus.callback_confirmed(), language)
    response.hangup()
    return respond(response)


@bp.route("/queue/connect", methods=["POST"])
def queue_connect():
    """The `<Queue url>` request on the caller's leg, right before the bridge: the moment
    of answer (R1), stamped with the server clock; Twilio's QueueTime is a cross-check."""
    call = request_call()
    agent = calls.agent_by_identity(db.session, request.args.get("agent", ""))
    calls.mark_answered(call, agent, utcnow(), _int_form("QueueTime"))
    recordings.link_agent_leg(db.session, call, request.form.get("DequeingCallSid", ""))
    if agent is not None and call.agent_id == agent.id:
        agent_states.start_call(db.session, agent, call, utcnow())
    response = VoiceResponse()
    say(response, menus.connecting_caller(), call.language)
    return respond(response)


def _recording(waiting: list[Call]) -> dict[str, str]:
    """`<Dial record>` when every caller who may be bridged heard the recording notice
    (all are on lines that record); the signed callback stores the recording."""
    if not all(recordings.line_records(current_app.config, c.to_number) for c in waiting):
        return {}
    return {"record": recordings.DIAL_RECORD,
            "recording_status_callback": public_base() + recordings.CALLBACK_PATH,
            "recording_status_callback_method": "POST"}


@bp.route("/agent", methods=["POST"])
def agent():
    """The TwiML App voice URL of the agents' browser softphones: dequeue the next caller,
    priority queue first."""
    user = calls.agent_by_identity(db.session, request.form.get("From", ""))
    response = VoiceResponse()
    language = "en" if user is not None and user.locale == "en" else "zh"
    if user is None:
        response.say(text(_("You are not an agent of this hotline."), language),
                     **voice_of(language))
        response.hangup()
        return twiml(response)
    wrap_up = agent_states.wrap_up_of(current_app.config)
    if not agent_states.is_available(db.session, user, utcnow(), wrap_up):
        # Only an available agent is bridged: not on a call, in wrap-up, on a break, offline.
        response.say(text(_("You are not available. Set your state to available to take "
                            "calls."), language), **voice_of(language))
        response.hangup()
        return twiml(response)
    for queue in (menus.PRIORITY_QUEUE, menus.NORMAL_QUEUE):
        waiting = calls.waiting_calls(db.session, queue, prompted=True)
        if waiting:
            dial = response.dial(**_recording(waiting))
            dial.queue(queue, url=url("/ivr/queue/connect", agent=user.username),
                       method="POST")
            return twiml(response)
    say(response, menus.no_agent_waiting(), language)
    response.hangup()
    return twiml(response)


@bp.route("/outbound/connect", methods=["POST"])
def outbound_connect():
    """Click-to-call: the agent's phone answered; now ring the customer."""
    response = VoiceResponse()
    target = None
    if request.args.get("callback", "").isdigit():
        callback = db.session.get(CallbackRequest, int(request.args["callback"]))
        target = callback.phone if callback else None
    elif request.args.get("call", "").isdigit():
        previous = db.session.get(Call, int(request.args["call"]))
        target = calls.caller_e164(previous) if previous else None
    if not target:
        response.say(text(_("There is no number to call."), "zh"), **voice_of("zh"))
        response.hangup()
        return twiml(response)
    dial = response.dial(caller_id=current_app.config["TWILIO_PHONE_NUMBER"])
    dial.number(target)
    return twiml(response)
