"""The IVR's webhooks (`/ivr/...`): thin views that parse Twilio's form, call the menu logic
and the call services, and render TwiML. Every endpoint is signed, none uses CSRF."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Request, Response, current_app, request
from sqlalchemy import bindparam, select
from twilio.twiml.voice_response import VoiceResponse

from hotline.clock import app_clock, utcnow
from hotline.db import DriverStatement
from hotline.directory.models import Area, CustomerAccount, CustomerPhone
from hotline.directory.phones import try_e164
from hotline.directory.services import account_by_number, accounts_by_phone
from hotline.extensions import db
from hotline.outages.queries import active_or_upcoming
from hotline.telephony.signature import twilio_blueprint
from ivr import calls, menus
from ivr.call_batch import current_batch
from ivr.menus import Line, _
from ivr.models import Call
from ivr.ports import VoicemailReport, order_desk
from ivr.twiml import gather, say, text, twiml, url

bp = twilio_blueprint(Blueprint("ivr", __name__, url_prefix="/ivr"))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])


def _language(req: Request = request) -> str:
    return menus.language_or_default(req.args.get("lang"))


def _attempt() -> int:
    try:
        return max(0, min(int(request.args.get("attempt", 0)), menus.MAX_RETRIES))
    except ValueError:
        return 0


def _call(language: str | None = None) -> Call:
    form = request.form
    current_batch().write_pending(form.get("CallSid", ""))
    call = calls.open_call(db.session, form.get("CallSid", ""), from_number=form.get("From", ""),
                           to_number=form.get("To", ""), now=utcnow(),
                           direction=calls.direction_of(form.get("Direction")),
                           language=language or menus.DEFAULT_LANGUAGE)
    if language and call.language != language:
        call.language = language
    return call


def _text(message: str, language: str, **params: object) -> str:
    return text(message, language, **params)


def _callback_due() -> timedelta:
    return timedelta(minutes=current_app.config["IVR_CALLBACK_DUE_MINUTES"])


def _callback_sms(language: str) -> str:
    return _text(_("Water hotline: we have your request and will call you back soon."),
                 language)


def _caller_accounts(call: Call) -> list[CustomerAccount]:
    return accounts_by_phone(db.session, call.from_number)


_CALLER_ACCOUNT = DriverStatement(
    select(CustomerAccount.id, CustomerAccount.area_id)
    .join(CustomerPhone).where(CustomerPhone.e164 == bindparam("e164"))
    .order_by(CustomerAccount.account_number).limit(1))


def caller_account(caller: str) -> tuple[int, int] | None:
    """The caller's first account and its area, in one query (the voice URL's hot path)."""
    e164 = caller if caller.startswith("+") and caller[1:].isdigit() else try_e164(caller)
    if not e164:
        return None
    return _CALLER_ACCOUNT.first(db.engine, e164=e164)


def _cached(app: Flask, key: tuple, build):
    """The voice URL's answer depends only on the language and the caller's area: it is
    kept per process for IVR_OUTAGE_CACHE_SECONDS (a new outage notice is heard a few
    seconds later; the outage queries and the TwiML rendering are saved on nearly every
    call)."""
    ttl = app.config["IVR_OUTAGE_CACHE_SECONDS"]
    if ttl <= 0:
        return build()
    cache = app.extensions.setdefault("ivr.greeting_cache", {})
    hit = cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    value = build()
    cache[key] = (time.monotonic() + ttl, value)
    return value


def _outage_facts(area_id: int) -> list[menus.OutageFact]:
    return _load_outage_facts(area_id)


def _load_outage_facts(area_id: int) -> list[menus.OutageFact]:
    facts = []
    for notice in active_or_upcoming(db.session, area_id, utcnow()):
        latest = notice.updates[-1].note if notice.updates else None
        facts.append(menus.OutageFact(notice.kind, notice.cause, notice.start_at,
                                      notice.expected_end_at, latest))
    return facts


def _done(response: VoiceResponse):
    db.session.commit()
    return twiml(response)


def _main_menu(response: VoiceResponse, language: str, attempt: int = 0) -> None:
    gather(response, menus.main_menu(language), language,
           url("/ivr/menu", lang=language, attempt=attempt))


def _to_queue(response: VoiceResponse, call: Call, language: str, queue: str,
              lines: list[Line] | None = None) -> None:
    say(response, lines if lines is not None else menus.to_agent(), language)
    calls.enter_queue(call, queue, utcnow())
    response.enqueue(queue, action=url("/ivr/queue/done", lang=language), method="POST",
                     wait_url=url("/ivr/queue/wait", lang=language), wait_url_method="POST")


@bp.route("/voice", methods=["POST"])
def voice():
    """The number's voice URL: greeting, the caller's outages first (R26), then the menu.
    The call's record is queued for this process's next batch of inserts (ivr.call_batch).
    The hottest endpoint: no ORM session, and the request and app are looked up once."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    language = _language(req)
    form = req.form
    caller = form.get("From", "")
    account_id, area_id = caller_account(caller) or (None, None)
    body = _cached(app, ("greeting", language, area_id),
                   lambda: str(_greeting(language, area_id)))
    current_batch(app).add(calls.new_call_row(
        form.get("CallSid", ""), from_number=caller, to_number=form.get("To", ""),
        direction=calls.direction_of(form.get("Direction")), language=language,
        account_id=account_id, step="voice", now=app_clock(app).now()))
    return Response(body, mimetype="text/xml")


def _greeting(language: str, area_id: int | None) -> VoiceResponse:
    response = VoiceResponse()
    say(response, menus.greeting(), language)
    if area_id is not None:
        facts = _load_outage_facts(area_id)
        say(response, menus.outage_lines(facts, utcnow(), _zone(), language, say_none=False),
            language)
    _main_menu(response, language)
    return response


@bp.route("/main", methods=["POST"])
def main():
    language = _language()
    _call(language)  # the call record exists from its first webhook on
    response = VoiceResponse()
    _main_menu(response, language, _attempt())
    return _done(response)


def _retry_or_agent(response: VoiceResponse, call: Call, language: str, attempt: int,
                    ask: list[Line], action_path: str, **gather_kw) -> None:
    choice = menus.choose({}, None, attempt)
    if choice.action == "repeat":
        gather(response, ask, language, url(action_path, lang=language,
                                            attempt=choice.attempt), **gather_kw)
    else:
        call.add_step("to-agent")
        _to_queue(response, call, language, menus.NORMAL_QUEUE)


@bp.route("/menu", methods=["POST"])
def menu():
    language = _language()
    call = _call(language)
    response = VoiceResponse()
    choice = menus.choose(menus.MAIN_OPTIONS, request.form.get("Digits"), _attempt())
    call.add_step(f"main:{request.form.get('Digits') or '-'}")
    if choice.action == "repeat":
        say(response, menus.not_understood(), language)
        _main_menu(response, language, choice.attempt)
    elif choice.action == "english":
        call.language = "en"
        _main_menu(response, "en")
    elif choice.action == "agent":
        _to_queue(response, call, language, menus.NORMAL_QUEUE)
    elif choice.action == "balance":
        _balance_menu(response, call, language)
    elif choice.action == "outages":
        _outages_menu(response, call, language)
    elif choice.action == "order_status":
        _ask_order(response, language, 0)
    elif choice.action == "report":
        gather(response, menus.report_menu(), language, url("/ivr/report", lang=language))
    return _done(response)


def _balance_fact(account: CustomerAccount) -> menus.BalanceFact:
    return menus.BalanceFact(account.account_number, account.balance_due,
                             account.last_bill_date, account.last_bill_amount)


def _self_served(response: VoiceResponse, language: str, lines: list[Line]) -> None:
    say(response, lines + menus.back_to_menu(), language)
    response.redirect(url("/ivr/main", lang=language), method="POST")


def _balance_menu(response: VoiceResponse, call: Call, language: str) -> None:
    accounts = _caller_accounts(call)
    if accounts:
        lines = [line for a in accounts[:3] for line in menus.balance_lines(_balance_fact(a),
                                                                             language)]
        _self_served(response, language, lines)
    else:
        gather(response, menus.ask_account_number(), language,
               url("/ivr/balance", lang=language), num_digits=None, finish_on_key="#",
               timeout=8)


@bp.route("/balance", methods=["POST"])
def balance():
    language, attempt = _language(), _attempt()
    call = _call(language)
    response = VoiceResponse()
    digits = menus.account_digits(request.form.get("Digits"))
    account = account_by_number(db.session, digits) if digits else None
    if account is None:
        if digits:
            say(response, menus.account_not_found(), language)
        _retry_or_agent(response, call, language, attempt, menus.ask_account_number(),
                        "/ivr/balance", num_digits=None, finish_on_key="#", timeout=8)
    else:
        call.add_step("balance")
        _self_served(response, language, menus.balance_lines(_balance_fact(account), language))
    return _done(response)


def _area_choices() -> list[Area]:
    return list(db.session.scalars(db.select(Area).order_by(Area.code).limit(9)))


def _area_name(area: Area, language: str) -> str:
    return area.name_en if language == "en" else area.name_zh


def _outages_menu(response: VoiceResponse, call: Call, language: str, attempt: int = 0) -> None:
    accounts = _caller_accounts(call)
    if accounts:
        _self_served(response, language, menus.outage_lines(
            _outage_facts(accounts[0].area_id), utcnow(), _zone(), language, say_none=True))
        return
    areas = _area_choices()
    lines = menus.ask_area([(str(i), _area_name(a, language)) for i, a in enumerate(areas, 1)])
    gather(response, lines, language, url("/ivr/outages", lang=language, attempt=attempt))


@bp.route("/outages", methods=["POST"])
def outages():
    language, attempt = _language(), _attempt()
    call = _call(language)
    response = VoiceResponse()
    areas = _area_choices()
    digits = request.form.get("Digits", "")
    index = int(digits) if digits.isdigit() else 0
    if 1 <= index <= len(areas):
        call.add_step(f"outages:{areas[index - 1].code}")
        _self_served(response, language, menus.outage_lines(
            _outage_facts(areas[index - 1].id), utcnow(), _zone(), language, say_none=True))
    else:
        choice = menus.choose({}, None, attempt)
        if choice.action == "repeat":
            say(response, menus.not_understood(), language)
            _outages_menu(response, call, language, choice.attempt)
        else:
            _to_queue(response, call, language, menus.NORMAL_QUEUE)
    return _done(response)


def _ask_order(response: VoiceResponse, language: str, attempt: int) -> None:
    gather(response, menus.ask_order_number(), language,
           url("/ivr/order-status", lang=language, attempt=attempt), num_digits=None,
           finish_on_key="#", timeout=8)


@bp.route("/order-status", methods=["POST"])
def order_status():
    """Status, department and due time only: nothing about who complained (R27)."""
    language, attempt = _language(), _attempt()
    call = _call(language)
    response = VoiceResponse()
    digits = menus.order_digits(request.form.get("Digits"))
    desk = order_desk()
    found = desk.status(db.session, digits) if (digits and desk) else None
    if found is None:
        if digits:
            say(response, menus.order_not_found(), language)
        _retry_or_agent(response, call, language, attempt, menus.ask_order_number(),
                        "/ivr/order-status", num_digits=None, finish_on_key="#", timeout=8)
    else:
        call.add_step("order-status")
        department = found.department_name_en if language == "en" else found.department_name_zh
        fact = menus.OrderFact(found.number, found.status, department, found.due_at)
        _self_served(response, language, menus.order_lines(fact, _zone(), language))
    return _done(response)


@bp.route("/report", methods=["POST"])
def report():
    """Leak or no water: the priority queue, or a recorded message when nobody is free."""
    language, attempt = _language(), _attempt()
    call = _call(language)
    response = VoiceResponse()
    choice = menus.choose(menus.REPORT_OPTIONS, request.form.get("Digits"), attempt)
    if choice.action == "repeat":
        say(response, menus.not_understood(), language)
        gather(response, menus.report_menu(), language,
               url("/ivr/report", lang=language, attempt=choice.attempt))
    elif choice.action == "agent":
        _to_queue(response, call, language, menus.NORMAL_QUEUE)
    else:
        call.add_step(f"report:{choice.action}")
        if calls.agents_available(db.session, utcnow()) > 0 or order_desk() is None:
            _to_queue(response, call, language, menus.PRIORITY_QUEUE)
        else:
            say(response, menus.ask_voicemail(), language)
            response.record(action=url("/ivr/voicemail", lang=language, category=choice.action),
                            method="POST", max_length=120, finish_on_key="#", play_beep=True,
                            transcribe=True, transcribe_callback=url("/ivr/transcription"))
    return _done(response)


@bp.route("/voicemail", methods=["POST"])
def voicemail():
    """The `<Record>` action: the message becomes a work order; the caller hears its number
    and gets it by SMS. A retried request finds the order already made."""
    language = _language()
    call = _call(language)
    response = VoiceResponse()
    recording = request.form.get("RecordingUrl", "")
    category = request.args.get("category", "leak")
    if category not in ("leak", "no_water"):
        category = "leak"
    if not recording:
        say(response, menus.voicemail_empty(), language)
        _to_queue(response, call, language, menus.PRIORITY_QUEUE, lines=[])
        return _done(response)
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
        call.outcome = "voicemail"
        call.add_step("voicemail")
        if calls.caller_e164(call):
            from hotline.telephony.outbox import queue_sms

            queue_sms(db.session, calls.caller_e164(call),
                      _text(_("Water hotline: your report is registered as work order "
                              "%(number)s."), language, number=call.voicemail_order),
                      now=now, dedupe_key=f"voicemail:{call.call_sid}")
    say(response, menus.voicemail_logged(call.voicemail_order) + menus.goodbye(), language)
    response.hangup()
    return _done(response)


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
    return _done(VoiceResponse())


def _int_form(name: str) -> int:
    try:
        return int(request.form.get(name, "0"))
    except ValueError:
        return 0


@bp.route("/queue/wait", methods=["POST"])
def queue_wait():
    """The Enqueue wait URL: position and estimated wait; after IVR_CALLBACK_OFFER_SECONDS
    the offer to be called back (press 1)."""
    language = _language()
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
    return twiml(response)


@bp.route("/queue/choice", methods=["POST"])
def queue_choice():
    language = _language()
    call = _call(language)
    response = VoiceResponse()
    if request.form.get("Digits") == menus.CALLBACK_KEY:
        call.add_step("callback")
        calls.request_callback(db.session, call, "requested", now=utcnow(),
                               due_in=_callback_due(), sms_body=_callback_sms(language))
        response.leave()
    else:
        say(response, menus.keep_waiting(), language)
    return _done(response)


@bp.route("/queue/done", methods=["POST"])
def queue_done():
    """The Enqueue action: arrives when the wait (or the whole bridged call) is over."""
    language = _language()
    call = _call(language)
    result = request.form.get("QueueResult", "")
    calls.close_from_queue(db.session, call, result, now=utcnow(), due_in=_callback_due(),
                           sms_body=_callback_sms(language))
    response = VoiceResponse()
    if result in ("leave", "queue-full", "error", "system-error"):
        say(response, menus.callback_confirmed(), language)
    response.hangup()
    return _done(response)


@bp.route("/queue/connect", methods=["POST"])
def queue_connect():
    """The `<Queue url>` request on the caller's leg, right before the bridge: the moment
    of answer (R1), stamped with the server clock; Twilio's QueueTime is a cross-check."""
    call = _call()
    agent = calls.agent_by_identity(db.session, request.args.get("agent", ""))
    calls.mark_answered(call, agent, utcnow(), _int_form("QueueTime"))
    response = VoiceResponse()
    say(response, menus.connecting_caller(), call.language)
    return _done(response)


@bp.route("/agent", methods=["POST"])
def agent():
    """The TwiML App voice URL of the agents' browser softphones: dequeue the next caller,
    priority queue first."""
    user = calls.agent_by_identity(db.session, request.form.get("From", ""))
    response = VoiceResponse()
    language = "en" if user is not None and user.locale == "en" else "zh"
    if user is None:
        response.say(_text(_("You are not an agent of this hotline."), language),
                     **_voice(language))
        response.hangup()
        return twiml(response)
    for queue in (menus.PRIORITY_QUEUE, menus.NORMAL_QUEUE):
        if calls.waiting_calls(db.session, queue):
            dial = response.dial()
            dial.queue(queue, url=url("/ivr/queue/connect", agent=user.username),
                       method="POST")
            return twiml(response)
    say(response, menus.no_agent_waiting(), language)
    response.hangup()
    return twiml(response)


def _voice(language: str) -> dict[str, str]:
    from ivr.twiml import voice_of

    return voice_of(language)


@bp.route("/outbound/connect", methods=["POST"])
def outbound_connect():
    """Click-to-call: the agent's phone answered; now ring the customer."""
    from ivr.models import CallbackRequest

    response = VoiceResponse()
    target = None
    if request.args.get("callback", "").isdigit():
        callback = db.session.get(CallbackRequest, int(request.args["callback"]))
        target = callback.phone if callback else None
    elif request.args.get("call", "").isdigit():
        previous = db.session.get(Call, int(request.args["call"]))
        target = calls.caller_e164(previous) if previous else None
    if not target:
        response.say(_text(_("There is no number to call."), "zh"), **_voice("zh"))
        response.hangup()
        return twiml(response)
    dial = response.dial(caller_id=current_app.config["TWILIO_PHONE_NUMBER"])
    dial.number(target)
    return twiml(response)
