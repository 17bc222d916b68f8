"""No water or low pressure where an outage is running (issue 11 item 7; on the `ivr`
blueprint of `ivr.voice`): the caller hears the outage and its expected restoration, the
report is recorded against the outage (`hotline.outages.restoration`) instead of sending a
crew, and pressing 1 asks for a call as well as the SMS when water is back."""

from __future__ import annotations

from flask import request
from twilio.twiml.voice_response import VoiceResponse

from hotline.clock import utcnow
from hotline.directory.models import CustomerAccount
from hotline.extensions import db
from hotline.outages.models import OutageNotice
from hotline.outages.queries import active_or_upcoming
from hotline.outages.restoration import ask_for_call, is_running, record_report
from ivr import calls, menus
from ivr.models import Call
from ivr.twiml import gather, say, url
from ivr.voice import bp, request_call, request_language, respond, zone


def running_outage(call: Call) -> OutageNotice | None:
    """The outage running now in the area of the caller's account, if any. A caller the
    directory does not know (or without a usable number to text) takes the usual path."""
    if call.account_id is None or calls.caller_e164(call) is None:
        return None
    account = db.session.get(CustomerAccount, call.account_id)
    now = utcnow()
    for outage in active_or_upcoming(db.session, account.area_id, now):
        if is_running(outage, now):
            return outage
    return None


def _fact(outage: OutageNotice) -> menus.OutageFact:
    latest = outage.updates[-1].note if outage.updates else None
    return menus.OutageFact(outage.kind, outage.cause, outage.start_at,
                            outage.expected_end_at, latest)


def report_against_outage(response: VoiceResponse, call: Call, language: str,
                          outage: OutageNotice) -> None:
    """Record the report now (a hang-up during the prompt still gets its SMS), speak the
    outage with its expected restoration (local time), and offer the call."""
    record_report(db.session, outage, phone=calls.caller_e164(call), language=language,
                  source="ivr", call_sid=call.call_sid, account_id=call.account_id,
                  now=utcnow())
    call.add_step(f"outage-report:{outage.id}")
    lines = menus.outage_lines([_fact(outage)], utcnow(), zone(), language, say_none=False)
    gather(response, lines + menus.outage_report_recorded(), language,
           url("/ivr/report/outage", lang=language, outage=outage.id), timeout=5)


@bp.route("/report/outage", methods=["POST"])
def report_outage():
    """The caller's answer to the call offer (no key: the SMS alone), then goodbye."""
    language = request_language()
    call = request_call(language)
    response = VoiceResponse()
    wants_call = menus.wants_restoration_call(request.form.get("Digits"))
    outage_id = request.args.get("outage", type=int)
    if wants_call and outage_id and calls.caller_e164(call):
        ask_for_call(db.session, outage_id, calls.caller_e164(call))
        call.add_step("restoration-call")
    say(response, menus.restoration_promised(wants_call) + menus.goodbye(), language)
    response.hangup()
    return respond(response)
