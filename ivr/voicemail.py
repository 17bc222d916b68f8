"""Leak and no-water reports (on the `ivr` blueprint of `ivr.voice`): the priority queue
when an agent is free, else a recorded message that becomes a work order; Twilio's later
transcription fills the order in."""

from __future__ import annotations

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.clock import utcnow
from hotline.directory.models import CustomerAccount
from hotline.extensions import db
from hotline.telephony.outbox import queue_sms
from ivr import agent_states, calls, menus, record_prompts, recordings
from ivr.menus import _
from ivr.models import Call
from ivr.outage_reports import report_against_outage, running_outage
from ivr.ports import VoicemailReport
from ivr.queue_views import callback_policy
from ivr.recordings import RecordingReport
from ivr.twiml import gather, say, text, url, voice_of
from ivr.voice import (bp, order_desk, request_attempt, request_call, request_language, respond,
                       to_queue)


@bp.route("/report", methods=["POST"])
def report():
    """Leak or no water: the priority queue, or a recorded message when nobody is free."""
    language, attempt = request_language(), request_attempt()
    call = request_call(language)
    response = VoiceResponse()
    choice = menus.choose(menus.REPORT_OPTIONS, request.form.get("Digits"), attempt)
    if choice.action == "repeat":
        say(response, menus.not_understood(), language)
        gather(response, menus.report_menu(), language,
               url("/ivr/report", lang=language, attempt=choice.attempt))
    elif choice.action == "agent":
        to_queue(response, call, language, menus.NORMAL_QUEUE)
    elif choice.action == "no_water" and (outage := running_outage(call)) is not None:
        call.add_step("report:no_water")
        report_against_outage(response, call, language, outage)  # no crew is sent
    else:
        call.add_step(f"report:{choice.action}")
        if calls.agents_available(
                db.session, utcnow(), wrap_up=agent_states.wrap_up_of(current_app.config)) > 0 or order_desk() is None:
            to_queue(response, call, language, menus.PRIORITY_QUEUE)
        else:
            calls.ask_for_agent(call, "", utcnow())  # a hang-up from here on is called back
            say(response, menus.ask_voicemail(), language)
            # No `transcribe`: Twilio's transcription is not a Mandarin service; the agent
            # listens, helped by the caller's spoken sentence (`/ivr/voicemail/describe`).
            response.record(action=url("/ivr/voicemail", lang=language, category=choice.action),
                            method="POST", max_length=120, finish_on_key="#", play_beep=True)
            # An empty recording requests no action: Twilio goes on with the next verb.
            response.redirect(url("/ivr/voicemail-empty", lang=language), method="POST")
    return respond(response)


@bp.route("/voicemail-empty", methods=["POST"])
def voicemail_empty():
    """After a silent message (Twilio requested no `<Record>` action): sorry, and a
    callback request (R3) so the report is not lost; the call is not self-served."""
    language = request_language()
    call = request_call(language)
    if call.outcome is None:
        call.outcome = "callback"
        call.add_step("voicemail-empty")
        policy = callback_policy()
        calls.request_callback(db.session, call, "no_message", now=utcnow(),
                               due_in=policy.due_in, sms_body=policy.sms_body(language))
    response = VoiceResponse()
    say(response, menus.voicemail_empty() + menus.callback_confirmed(), language)
    response.hangup()
    return respond(response)


@bp.route("/voicemail", methods=["POST"])
def voicemail():
    """The `<Record>` action: the message becomes a work order; the caller hears its number
    and gets it by SMS. A retried request finds the order already made."""
    language = request_language()
    call = request_call(language)
    response = VoiceResponse()
    recording = request.form.get("RecordingUrl", "")
    category = request.args.get("category", "leak")
    if category not in ("leak", "no_water"):
        category = "leak"
    if not recording:
        say(response, menus.voicemail_empty(), language)
        to_queue(response, call, language, menus.PRIORITY_QUEUE, lines=[])
        return respond(response)
    now = utcnow()
    if not call.voicemail_order:
        account = db.session.get(CustomerAccount, call.account_id) if call.account_id else None
        report = VoicemailReport(caller=calls.caller_e164(call) or call.from_number,
                                 recording_url=recording, transcription=call.transcription,
                                 category=category, call_sid=call.call_sid,
                                 account_id=account.id if account else None,
                                 area_id=account.area_id if account else None)
        call.voicemail_order = order_desk().log_voicemail(db.session, report, now=now)
        call.recording_url = recording[:500]
        # The order carries its recording: SID, URL and duration on the call, and the
        # local copy the console plays, fetched by the clock (never by a request).
        recordings.store_recording(db.session, RecordingReport.from_form(request.form),
                                   now=now, config=current_app.config, voicemail=True)
        call.outcome = "voicemail"
        call.add_step("voicemail")
        # The `completed` status callback may have come first and filed a callback (R3).
        calls.withdraw_callback(db.session, call, f"voicemail {call.voicemail_order}")
        if calls.caller_e164(call):
            queue_sms(db.session, calls.caller_e164(call),
                      text(_("Water hotline: your report is registered as work order "
                             "%(number)s."), language, number=call.voicemail_order),
                      now=now, dedupe_key=f"voicemail:{call.call_sid}")
    say(response, menus.voicemail_logged(call.voicemail_order), language)
    # A sentence the agent may start from; silence falls through to the goodbye.
    g = response.gather(input="speech", language=voice_of(language)["language"],
                        speech_timeout="auto", timeout=5, method="POST",
                        action=url("/ivr/voicemail/describe", lang=language))
    say(g, record_prompts.ask_spoken_description(), language)
    say(response, menus.goodbye(), language)
    response.hangup()
    return respond(response)


@bp.route("/voicemail/describe", methods=["POST"])
def voicemail_describe():
    """The caller's spoken sentence (`SpeechResult`) becomes the voicemail order's draft
    description; the order stays flagged "listen and complete" until an agent confirms.
    A replay finds the draft already there."""
    language = request_language()
    call = request_call(language)
    spoken = (request.form.get("SpeechResult") or "").strip()
    if spoken and call.voicemail_order and order_desk() is not None:
        if order_desk().add_spoken_draft(db.session, call.voicemail_order, spoken,
                                         now=utcnow()):
            call.add_step("described")
    response = VoiceResponse()
    say(response, (record_prompts.description_noted() if spoken else []) + menus.goodbye(),
        language)
    response.hangup()
    return respond(response)


@bp.route("/transcription", methods=["POST"])
def transcription():
    """Twilio's transcription of a voicemail: kept on the call, and put into the order the
    recording made (which usually exists by now; if not, the order takes it from the call)."""
    call = db.session.scalar(db.select(Call).where(Call.call_sid == request.form.get("CallSid")))
    if call is not None and request.form.get("TranscriptionStatus") == "completed":
        call.transcription = request.form.get("TranscriptionText", "")
        if call.voicemail_order and order_desk() is not None:
            order_desk().add_transcription(db.session, call.voicemail_order,
                                           call.transcription, now=utcnow())
    return respond(VoiceResponse())
