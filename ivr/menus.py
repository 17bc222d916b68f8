"""The voice menus as pure logic: what to say, which key leads where, how many retries.
No Flask, no SQLAlchemy: `ivr.twiml` turns these decisions into TwiML.

Prompts are English message ids marked with `_` (a no-op here) so the catalog extractor
finds them; the views translate them into the caller's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal


def _(message: str) -> str:
    return message


LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
# Invalid or missing input: repeat the menu up to twice, then hand over to an agent.
MAX_RETRIES = 2
NORMAL_QUEUE = "hotline"
PRIORITY_QUEUE = "hotline-priority"

MAIN_OPTIONS = {"1": "balance", "2": "outages", "3": "order_status", "4": "report",
                "0": "agent", "9": "english"}
REPORT_OPTIONS = {"1": "leak", "2": "no_water", "0": "agent"}
CALLBACK_KEY = "1"


@dataclass(frozen=True)
class Line:
    """One sentence to speak. `language` overrides the caller's (the "press 9 for English"
    hint is spoken in English)."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)
    language: str | None = None


@dataclass(frozen=True)
class Term:
    """A parameter value that is itself a prompt to translate (e.g. a status label)."""

    message: str


@dataclass(frozen=True)
class Choice:
    action: str  # an option's action, "repeat" or "agent"
    attempt: int  # how many times the menu has been repeated so far


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def choose(options: Mapping[str, str], digits: str | None, attempt: int) -> Choice:
    """The caller pressed `digits` (None or "" when the Gather timed out)."""
    action = options.get((digits or "").strip())
    if action is not None:
        return Choice(action, attempt)
    if attempt < MAX_RETRIES:
        return Choice("repeat", attempt + 1)
    return Choice("agent", attempt)


def greeting() -> list[Line]:
    return [Line(_("Hello, this is the water supply customer service hotline."))]


def main_menu(language: str) -> list[Line]:
    lines = [
        Line(_("For your bill balance, press 1.")),
        Line(_("For water outages in your area, press 2.")),
        Line(_("For the status of a work order, press 3.")),
        Line(_("To report a leak or no water, press 4.")),
        Line(_("For an agent, press 0.")),
    ]
    if language != "en":
        lines.append(Line("For English, press 9.", language="en"))
    return lines


def not_understood() -> list[Line]:
    return [Line(_("Sorry, we did not get that."))]


def to_agent() -> list[Line]:
    return [Line(_("Please hold, we are connecting you to an agent."))]


def report_menu() -> list[Line]:
    return [Line(_("To report a leak, press 1. If you have no water or low pressure, "
                   "press 2. For an agent, press 0."))]


def outage_report_recorded() -> list[Line]:
    return [Line(_("Your report is recorded with this outage, so no repair crew needs to "
                   "come. We will text you when water is back. To get a phone call as "
                   "well, press 1."))]


def wants_restoration_call(digits: str | None) -> bool:
    return (digits or "").strip() == CALLBACK_KEY


def restoration_promised(wants_call: bool) -> list[Line]:
    if wants_call:
        return [Line(_("We will text you and call you when water is back."))]
    return [Line(_("We will text you when water is back."))]


def ask_account_number() -> list[Line]:
    return [Line(_("Please enter your account number, then press the pound key."))]


def ask_order_number() -> list[Line]:
    return [Line(_("Please enter the digits of your work order number, then press the "
                   "pound key."))]


# R27: a look-up is spoken only to its holder; a caller whose number is not registered
# keys the last 4 digits of a registered phone, with this many tries before an agent.
VERIFY_ATTEMPTS = 2


def ask_last_digits() -> list[Line]:
    return [Line(_("To protect your privacy, please enter the last 4 digits of the phone "
                   "number registered for it."))]


def verify_failed() -> list[Line]:
    return [Line(_("Those digits do not match."))]


def last_digits(value: str | None) -> str | None:
    return digits_only(value, min_len=4, max_len=4)


def verify_next(failed: int) -> str:
    """After `failed` wrong answers: "retry" or, at VERIFY_ATTEMPTS, "agent"."""
    return "agent" if failed >= VERIFY_ATTEMPTS else "retry"


def ask_area(areas: Sequence[tuple[str, str]]) -> list[Line]:
    """`areas`: (key, spoken name) pairs in the order of the numbered list."""
    lines = [Line(_("Please choose your area."))]
    for key, name in areas:
        lines.append(Line(_("For %(area)s, press %(key)s."), {"area": name, "key": key}))
    return lines


def digits_only(value: str | None, *, min_len: int, max_len: int) -> str | None:
    text = (value or "").strip().rstrip("#")
    if text.isdigit() and min_len <= len(text) <= max_len:
        return text
    return None


def account_digits(value: str | None) -> str | None:
    return digits_only(value, min_len=4, max_len=20)


def order_digits(value: str | None) -> str | None:
    return digits_only(value, min_len=1, max_len=16)


def spoken_time(moment: datetime, zone: tzinfo, language: str) -> str:
    local = moment.astimezone(zone)
    if language == "en":
        return local.strftime("%B %d, %H:%M")
    return f"{local.month}月{local.day}日{local.hour}点{local.minute:02d}分"


def spoken_date(day: date, language: str) -> str:
    if language == "en":
        return day.strftime("%B %d, %Y")
    return f"{day.year}年{day.month}月{day.day}日"


def spoken_amount(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


@dataclass(frozen=True)
class BalanceFact:
    account_number: str
    balance_due: Decimal
    last_bill_date: date | None
    last_bill_amount: Decimal | None


def balance_lines(fact: BalanceFact, language: str) -> list[Line]:
    spaced = " ".join(fact.account_number)
    lines = [Line(_("Account %(account)s: the balance due is %(amount)s yuan."),
                  {"account": spaced, "amount": spoken_amount(fact.balance_due)})]
    if fact.last_bill_date is not None and fact.last_bill_amount is not None:
        lines.append(Line(_("Your last bill, dated %(date)s, was %(amount)s yuan."),
                          {"date": spoken_date(fact.last_bill_date, language),
                           "amount": spoken_amount(fact.last_bill_amount)}))
    return lines


def account_not_found() -> list[Line]:
    return [Line(_("We could not find that account number."))]


@dataclass(frozen=True)
class OutageFact:
    kind: str  # planned | emergency
    cause: str
    start_at: datetime
    expected_end_at: datetime
    latest_note: str | None  # the newest progress note (R26)


def outage_lines(facts: Sequence[OutageFact], now: datetime, zone: tzinfo,
                 language: str, *, say_none: bool) -> list[Line]:
    """R26: active and upcoming outages, emergencies with their latest progress."""
    if not facts:
        return [Line(_("There is no water outage reported in your area."))] if say_none else []
    lines = []
    for fact in facts:
        times = {"cause": fact.cause,
                 "start": spoken_time(fact.start_at, zone, language),
                 "end": spoken_time(fact.expected_end_at, zone, language)}
        if fact.kind == "emergency":
            lines.append(Line(_("An emergency repair is under way in your area: %(cause)s. "
                                "Water is expected back by %(end)s."), times))
            if fact.latest_note:
                lines.append(Line(_("Latest progress: %(note)s"), {"note": fact.latest_note}))
        elif fact.start_at <= now:
            lines.append(Line(_("A planned water outage is on in your area: %(cause)s. "
                                "Water is expected back by %(end)s."), times))
        else:
            lines.append(Line(_("A planned water outage in your area starts at %(start)s and "
                                "ends by %(end)s: %(cause)s."), times))
    return lines


# Every work-order status (workorders.rules.states.STATUSES) as a caller hears it; a test
# keeps the two in step, and an unknown status is never spoken as its code.
ORDER_STATUS_LABELS = {
    "new": _("registered"),
    "dispatched": _("dispatched to the department in charge"),
    "accepted": _("accepted by the department in charge"),
    "in_progress": _("being handled"),
    "awaiting_customer": _("waiting for information from you"),
    "resolved": _("resolved, and we will call you back about it"),
    "closed": _("closed"),
    "returned": _("being sent to the right department"),
    "merged": _("merged with an earlier report of the same problem"),
    "cancelled": _("cancelled"),
    "reopened": _("reopened and being handled again"),
}
UNKNOWN_STATUS_LABEL = _("being processed")


@dataclass(frozen=True)
class OrderFact:
    """Only what any caller may hear: no complainant, no other customer (R27)."""

    number: str
    status: str
    department: str | None
    due_at: datetime | None


def order_lines(fact: OrderFact, zone: tzinfo, language: str) -> list[Line]:
    spaced = " ".join(ch for ch in fact.number if ch.isalnum())
    label = ORDER_STATUS_LABELS.get(fact.status, UNKNOWN_STATUS_LABEL)
    lines = [Line(_("Work order %(number)s is %(status)s."),
                  {"number": spaced, "status": Term(label)})]
    if fact.department:
        lines.append(Line(_("It is handled by %(department)s."),
                          {"department": fact.department}))
    if fact.due_at is not None:
        lines.append(Line(_("It is due by %(due)s."),
                          {"due": spoken_time(fact.due_at, zone, language)}))
    return lines


def order_not_found() -> list[Line]:
    return [Line(_("We could not find that work order."))]


def back_to_menu() -> list[Line]:
    return [Line(_("Returning to the main menu."))]


def ask_voicemail() -> list[Line]:
    return [Line(_("All our agents are busy. Please describe the problem and your address "
                   "after the tone, then hang up or press the pound key."))]


def voicemail_logged(order_number: str) -> list[Line]:
    return [Line(_("Thank you. Your report is registered as work order %(number)s. "
                   "We will send it to you by text message."),
                 {"number": " ".join(ch for ch in order_number if ch.isalnum())})]


def voicemail_empty() -> list[Line]:
    return [Line(_("We did not receive a message."))]


@dataclass(frozen=True)
class WaitInfo:
    position: int  # 1 = next
    average_wait: int  # seconds (Twilio's AvgQueueTime)
    waited: int  # seconds in the queue so far


def estimated_wait_minutes(info: WaitInfo) -> int:
    """Whole minutes, at least 1: the queue's average wait less what was already waited,
    or one minute per caller ahead when Twilio has no average yet."""
    if info.average_wait > 0:
        remaining = max(info.average_wait - info.waited, 0)
    else:
        remaining = 60 * max(info.position, 1)
    return max(1, -(-remaining // 60))


def offer_callback(info: WaitInfo, offer_after: int) -> bool:
    return info.waited >= offer_after


def wait_lines(info: WaitInfo, offer_after: int) -> list[Line]:
    lines = [Line(_("You are number %(position)s in the queue. The estimated wait is "
                    "%(minutes)s minutes."),
                  {"position": max(info.position, 1),
                   "minutes": estimated_wait_minutes(info)})]
    if offer_callback(info, offer_after):
        lines.append(Line(_("To be called back instead, press 1. To keep waiting, stay on "
                            "the line.")))
    return lines


def callback_confirmed() -> list[Line]:
    return [Line(_("Thank you. We will call you back as soon as possible. Goodbye."))]


def keep_waiting() -> list[Line]:
    return [Line(_("Please keep holding."))]


def goodbye() -> list[Line]:
    return [Line(_("Thank you for calling. Goodbye."))]


def no_agent_waiting() -> list[Line]:
    return [Line(_("No caller is waiting."))]


def connecting_caller() -> list[Line]:
    return [Line(_("Connecting you to an agent now."))]


def is_enquiry_call(queue_name: str | None) -> bool:
    """R5: a call from the general queue is an enquiry; leak and no-water reports come
    through the priority queue."""
    return queue_name == NORMAL_QUEUE


def enquiry_call_overrun(queue_name: str | None, answered_at: datetime | None, now: datetime,
                         limit_minutes: int) -> bool:
    """R5: general enquiries are finished on the call within 5 minutes; past that the agent
    desk warns."""
    return (is_enquiry_call(queue_name) and answered_at is not None
            and now - answered_at >= timedelta(minutes=limit_minutes))
