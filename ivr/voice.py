"""The IVR's webhooks (`/ivr/...`): thin views that parse Twilio's form, call the menu logic
and the call services, and render TwiML. Every endpoint is signed, none uses CSRF.

This module holds the blueprint, what its views share, the greeting, the menus and the
self-service look-ups; `ivr.queue_views` (queue, agents, click-to-call) and `ivr.voicemail`
(leak reports and recorded messages) add their views to the same blueprint."""

from __future__ import annotations

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.clock import utcnow
from hotline.directory.models import Area, CustomerAccount
from hotline.directory.phones import holder_matches
from hotline.directory.services import account_by_number, caller_accounts
from hotline.extensions import db
from hotline.outages.queries import active_or_upcoming
from hotline.telephony.signature import twilio_blueprint
from ivr import calls, menus, record_prompts, recordings
from ivr.menus import Line
from ivr.models import Call
from ivr.ports import order_desk
from ivr.twiml import gather, say, twiml, url

bp = twilio_blueprint(Blueprint("ivr", __name__, url_prefix="/ivr"))


# What every IVR view shares ------------------------------------------------------------

def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])


def request_language() -> str:
    return menus.language_or_default(request.args.get("lang"))


def request_attempt() -> int:
    try:
        return max(0, min(int(request.args.get("attempt", 0)), menus.MAX_RETRIES))
    except ValueError:
        return 0


def request_call(language: str | None = None, **first: object) -> Call:
    """The call this webhook belongs to (created if it is the first one to arrive).
    `first`: what only the first webhook knows (`account_id`, `step`; see open_call)."""
    form = request.form
    call = calls.open_call(db.session, form.get("CallSid", ""), from_number=form.get("From", ""),
                           to_number=form.get("To", ""), now=utcnow(),
                           direction=calls.direction_of(form.get("Direction")),
                           language=language or menus.DEFAULT_LANGUAGE, **first)
    if language and call.language != language:
        call.language = language
    return call


def respond(response: VoiceResponse) -> Response:
    """Commit the webhook's changes, then answer with its TwiML."""
    db.session.commit()
    return twiml(response)


def to_queue(response: VoiceResponse, call: Call, language: str, queue: str,
             lines: list[Line] | None = None) -> None:
    """The hold prompt, then the queue. On a line that records agent calls the caller hears
    the notice first (IVR_RECORD_LINES)."""
    lines = lines if lines is not None else menus.to_agent()
    if recordings.line_records(current_app.config, call.to_number):
        lines = record_prompts.recording_notice() + lines
    say(response, lines, language)
    calls.ask_for_agent(call, queue, utcnow())
    response.enqueue(queue, action=url("/ivr/queue/done", lang=language), method="POST",
                     wait_url=url("/ivr/queue/wait", lang=language), wait_url_method="POST")


def retry_or_agent(response: VoiceResponse, call: Call, language: str, attempt: int,
                   ask: list[Line], action_path: str, **gather_kw) -> None:
    choice = menus.choose({}, None, attempt)
    if choice.action == "repeat":
        gather(response, ask, language, url(action_path, lang=language,
                                            attempt=choice.attempt), **gather_kw)
    else:
        call.add_step("to-agent")
        to_queue(response, call, language, menus.NORMAL_QUEUE)


# Greeting and menus ---------------------------------------------------------------------

def _caller_accounts(call: Call) -> list[CustomerAccount]:
    return caller_accounts(db.session, call.from_number)


def _cached(key: tuple, build: Callable[[], str]) -> str:
    """The greeting depends only on the language and the caller's area: it is kept per
    process for IVR_OUTAGE_CACHE_SECONDS (a new outage notice is heard a few seconds
    later; the outage queries and the TwiML rendering are saved on most calls)."""
    ttl = current_app.config["IVR_OUTAGE_CACHE_SECONDS"]
    if ttl <= 0:
        return build()
    cache = current_app.extensions.setdefault("ivr.greeting_cache", {})
    hit = cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    value = build()
    cache[key] = (time.monotonic() + ttl, value)
    return value


def _outage_facts(area_id: int) -> list[menus.OutageFact]:
    facts = []
    for notice in active_or_upcoming(db.session, area_id, utcnow()):
        latest = notice.updates[-1].note if notice.updates else None
        facts.append(menus.OutageFact(notice.kind, notice.cause, notice.start_at,
                                      notice.expected_end_at, latest))
    return facts


def _main_menu(response: VoiceResponse, language: str, attempt: int = 0) -> None:
    gather(response, menus.main_menu(language), language,
           url("/ivr/menu", lang=language, attempt=attempt))


def _greeting(language: str, area_id: int | None) -> str:
    response = VoiceResponse()
    say(response, menus.greeting(), language)
    if area_id is not None:
        say(response, menus.outage_lines(_outage_facts(area_id), utcnow(), zone(), language,
                                         say_none=False), language)
    _main_menu(response, language)
    return str(response)


@bp.route("/voice", methods=["POST"])
def voice():
    """The number's voice URL: greeting, the caller's outages first (R26), then the menu.
    The call's record (start, the caller's account, "voice" as the first IVR step) is
    committed before Twilio gets the answer."""
    language = request_language()
    accounts = caller_accounts(db.session, request.form.get("From", ""), limit=1)
    account = accounts[0] if accounts else None
    area_id = account.area_id if account else None
    body = _cached(("greeting", language, area_id), lambda: _greeting(language, area_id))
    request_call(language, account_id=account.id if account else None, step="voice")
    db.session.commit()
    return Response(body, mimetype="text/xml")


@bp.route("/main", methods=["POST"])
def main():
    language = request_language()
    request_call(language)  # the call record exists from its first webhook on
    response = VoiceResponse()
    _main_menu(response, language, request_attempt())
    return respond(response)


@bp.route("/menu", methods=["POST"])
def menu():
    language = request_language()
    call = request_call(language)
    response = VoiceResponse()
    choice = menus.choose(menus.MAIN_OPTIONS, request.form.get("Digits"), request_attempt())
    call.add_step(f"main:{request.form.get('Digits') or '-'}")
    if choice.action == "repeat":
        say(response, menus.not_understood(), language)
        _main_menu(response, language, choice.attempt)
    elif choice.action == "english":
        call.language = "en"
        _main_menu(response, "en")
    elif choice.action == "agent":
        to_queue(response, call, language, menus.NORMAL_QUEUE)
    elif choice.action == "balance":
        _balance_menu(response, call, language)
    elif choice.action == "outages":
        _outages_menu(response, call, language)
    elif choice.action == "order_status":
        _ask_order(response, language, 0)
    elif choice.action == "report":
        gather(response, menus.report_menu(), language, url("/ivr/report", lang=language))
    return respond(response)


# Self-service look-ups -------------------------------------------------------------------

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
        call.add_step("balance")  # a self-service step, as for a typed account number
        _self_served(response, language, lines)
    else:
        gather(response, menus.ask_account_number(), language,
               url("/ivr/balance", lang=language), num_digits=None, finish_on_key="#",
               timeout=8)


@bp.route("/balance", methods=["POST"])
def balance():
    language, attempt = request_language(), request_attempt()
    call = request_call(language)
    response = VoiceResponse()
    digits = menus.account_digits(request.form.get("Digits"))
    account = account_by_number(db.session, digits) if digits else None
    if account is None:
        if digits:
            say(response, menus.account_not_found(), language)
        retry_or_agent(response, call, language, attempt, menus.ask_account_number(),
                       "/ivr/balance", num_digits=None, finish_on_key="#", timeout=8)
    elif _account_holder(account, caller=call.from_number):
        call.add_step("balance")
        _self_served(response, language, menus.balance_lines(_balance_fact(account), language))
    else:
        _ask_last_digits(response, language, "/ivr/balance/verify", account=digits, failed=0)
    return respond(response)


# Private look-ups (R27): a balance or an order's status is spoken only to its holder --------

def _account_holder(account: CustomerAccount, *, caller: str | None = None,
                    last_digits: str = "") -> bool:
    return holder_matches([p.e164 for p in account.phones], caller=caller,
                          last_digits=last_digits)


def _ask_last_digits(response: VoiceResponse, language: str, path: str, **params) -> None:
    gather(response, menus.ask_last_digits(), language, url(path, lang=language, **params),
           num_digits=4, timeout=8)


def request_failed() -> int:
    try:
        return max(0, min(int(request.args.get("failed", 0)), menus.VERIFY_ATTEMPTS))
    except ValueError:
        return 0


def _not_verified(response: VoiceResponse, call: Call, language: str, path: str,
                  **params) -> None:
    """Wrong or no digits: ask again, or after VERIFY_ATTEMPTS failures offer an agent."""
    failed = request_failed() + 1
    say(response, menus.verify_failed(), language)
    if menus.verify_next(failed) == "agent":
        call.add_step("verify-failed")
        to_queue(response, call, language, menus.NORMAL_QUEUE)
    else:
        _ask_last_digits(response, language, path, failed=failed, **params)


@bp.route("/balance/verify", methods=["POST"])
def balance_verify():
    language = request_language()
    call = request_call(language)
    response = VoiceResponse()
    number = menus.account_digits(request.args.get("account"))
    account = account_by_number(db.session, number) if number else None
    digits = menus.last_digits(request.form.get("Digits")) or ""
    if account is not None and _account_holder(account, last_digits=digits):
        call.add_step("balance")
        _self_served(response, language, menus.balance_lines(_balance_fact(account), language))
    else:
        _not_verified(response, call, language, "/ivr/balance/verify", account=number)
    return respond(response)


@bp.route("/order-status/verify", methods=["POST"])
def order_status_verify():
    language = request_language()
    call = request_call(language)
    response = VoiceResponse()
    number = menus.order_digits(request.args.get("order"))
    desk = order_desk()
    digits = menus.last_digits(request.form.get("Digits")) or ""
    found = desk.status(db.session, number) if (number and desk and digits) else None
    if found is not None and desk.is_holder(db.session, number, last_digits=digits):
        _speak_order(response, call, language, found)
    else:
        _not_verified(response, call, language, "/ivr/order-status/verify", order=number)
    return respond(response)


def _area_choices() -> list[Area]:
    return list(db.session.scalars(db.select(Area).order_by(Area.code).limit(9)))


def _area_name(area: Area, language: str) -> str:
    return area.name_en if language == "en" else area.name_zh


def _outages_menu(response: VoiceResponse, call: Call, language: str, attempt: int = 0) -> None:
    accounts = _caller_accounts(call)
    if accounts:
        call.add_step(f"outages:{accounts[0].area.code}")  # the caller's own area
        _self_served(response, language, menus.outage_lines(
            _outage_facts(accounts[0].area_id), utcnow(), zone(), language, say_none=True))
        return
    areas = _area_choices()
    lines = menus.ask_area([(str(i), _area_name(a, language)) for i, a in enumerate(areas, 1)])
    gather(response, lines, language, url("/ivr/outages", lang=language, attempt=attempt))


@bp.route("/outages", methods=["POST"])
def outages():
    language, attempt = request_language(), request_attempt()
    call = request_call(language)
    response = VoiceResponse()
    areas = _area_choices()
    digits = request.form.get("Digits", "")
    index = int(digits) if digits.isdigit() else 0
    if 1 <= index <= len(areas):
        call.add_step(f"outages:{areas[index - 1].code}")
        _self_served(response, language, menus.outage_lines(
            _outage_facts(areas[index - 1].id), utcnow(), zone(), language, say_none=True))
    else:
        choice = menus.choose({}, None, attempt)
        if choice.action == "repeat":
            say(response, menus.not_understood(), language)
            _outages_menu(response, call, language, choice.attempt)
        else:
            to_queue(response, call, language, menus.NORMAL_QUEUE)
    return respond(response)


def _ask_order(response: VoiceResponse, language: str, attempt: int) -> None:
    gather(response, menus.ask_order_number(), language,
           url("/ivr/order-status", lang=language, attempt=attempt), num_digits=None,
           finish_on_key="#", timeout=8)


@bp.route("/order-status", methods=["POST"])
def order_status():
    """Status, department and due time only: nothing about who complained (R27)."""
    language, attempt = request_language(), request_attempt()
    call = request_call(language)
    response = VoiceResponse()
    digits = menus.order_digits(request.form.get("Digits"))
    desk = order_desk()
    found = desk.status(db.session, digits) if (digits and desk) else None
    if found is None:
        if digits:
            say(response, menus.order_not_found(), language)
        retry_or_agent(response, call, language, attempt, menus.ask_order_number(),
                       "/ivr/order-status", num_digits=None, finish_on_key="#", timeout=8)
    elif desk.is_holder(db.session, digits, caller=call.from_number):
        _speak_order(response, call, language, found)
    else:
        _ask_last_digits(response, language, "/ivr/order-status/verify", order=digits,
                         failed=0)
    return respond(response)


def _speak_order(response: VoiceResponse, call: Call, language: str, found) -> None:
    """Status, department and due time only: nothing about who complained (R27)."""
    call.add_step("order-status")
    department = found.department_name_en if language == "en" else found.department_name_zh
    fact = menus.OrderFact(found.number, found.status, department, found.due_at)
    _self_served(response, language, menus.order_lines(fact, zone(), language))
