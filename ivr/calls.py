"""Call records: created by the first webhook, moved forward by IVR steps, the queue and
status callbacks; never moved backwards. Services take `now`; the request commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.db import add_once
from hotline.directory.phones import try_e164
from hotline.telephony.outbox import queue_sms
from ivr import agent_states
from ivr.models import AgentPresence, Call, CallbackRequest

# Twilio CallStatus values by how far a call has come. Terminal statuses share the top rank:
# once a call has ended nothing moves it again.
STATUS_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3,
               "completed": 4, "busy": 4, "failed": 4, "no-answer": 4, "canceled": 4}
TERMINAL_RANK = 4
PRESENCE_TTL = agent_states.PRESENCE_TTL


def direction_of(value: str | None) -> str:
    return "outbound" if (value or "").startswith("outbound") else "inbound"


def open_call(session: Session, call_sid: str, *, from_number: str, to_number: str,
              now: datetime, direction: str = "inbound", language: str = "zh",
              account_id: int | None = None, step: str = "",
              status: str = "in-progress") -> Call:
    """The call's record, created by whichever webhook arrives first (insert-once); the one
    way a call row is made. A row some other webhook made first (a status callback can
    beat the voice URL) gains the caller's account and the first IVR step if it lacks
    them; nothing else about it changes."""
    call = Call(call_sid=call_sid, from_number=(from_number or "")[:40],
                to_number=(to_number or "")[:40], direction=direction, language=language,
                account_id=account_id, ivr_path=step, started_at=now, queue_name="",
                status=status, status_rank=STATUS_RANK.get(status, -1), voicemail_order="",
                recording_url="", transcription="")
    existing, created = add_once(session, call, Call, call_sid=call_sid)
    if created:
        return existing
    if account_id is not None and existing.account_id is None:
        existing.account_id = account_id
    if step and not existing.ivr_path:
        existing.ivr_path = step
    return existing


_INSERT_IGNORING: dict[tuple[str, str], object] = {}


def insert_ignoring_duplicates(session: Session, table):
    """INSERT … ON CONFLICT DO NOTHING on either database: the unique constraint decides,
    in one statement, whether a replayed webhook writes anything."""
    name = session.get_bind().dialect.name
    key = (name, table.name)
    if key not in _INSERT_IGNORING:
        dialect = postgresql if name == "postgresql" else sqlite
        _INSERT_IGNORING[key] = dialect.insert(table).on_conflict_do_nothing()
    return _INSERT_IGNORING[key]


def caller_e164(call: Call) -> str | None:
    return try_e164(call.from_number)


def ask_for_agent(call: Call, queue_name: str, now: datetime) -> None:
    """The caller asked for a person or reported a leak: the hold (or voicemail) prompt
    starts now. R2 and R3 count from the first time they asked."""
    if call.asked_at is None:
        call.asked_at = now
    if queue_name:
        call.queue_name = queue_name


def enter_queue(call: Call, now: datetime, queue_time: int = 0) -> None:
    """Twilio's first wait-URL request: the caller is really queued, after the prompt was
    spoken (R1's answer time runs from here). `queue_time`: Twilio's QueueTime then."""
    if call.entered_queue_at is None:
        call.entered_queue_at = now - timedelta(seconds=max(0, queue_time))


def mark_answered(call: Call, agent: User | None, now: datetime,
                  twilio_queue_time: int | None) -> None:
    """The bridge request on the caller's leg: the moment of answer (R1). A retried request
    keeps the first timestamp. A caller dequeued before any wait-URL request entered the
    queue QueueTime seconds before the bridge."""
    if call.answered_at is not None:
        return
    if call.entered_queue_at is None and twilio_queue_time is not None:
        enter_queue(call, now, twilio_queue_time)
    call.answered_at = now
    call.agent_id = agent.id if agent else None
    start = call.entered_queue_at or call.asked_at or call.started_at
    call.answer_seconds = round((now - start).total_seconds(), 3)
    call.twilio_queue_time = twilio_queue_time
    call.outcome = "answered"


def is_short_abandon(call: Call, now: datetime, short_abandon: timedelta) -> bool:
    """R2: hung up within the threshold after asking for a person; no callback."""
    asked = call.asked_at or call.entered_queue_at or call.started_at
    return (call.ended_at or now) - asked < short_abandon


def request_callback(session: Session, call: Call, reason: str, *, now: datetime,
                     due_in: timedelta, sms_body: str | None) -> CallbackRequest:
    """One callback request per call (R3); the caller gets one confirmation SMS."""
    request = CallbackRequest(call_id=call.id, phone=caller_e164(call) or call.from_number,
                              language=call.language, reason=reason, requested_at=now,
                              due_at=now + due_in, attempts=0, result="pending", note="")
    request, created = add_once(session, request, CallbackRequest, call_id=call.id)
    if created and sms_body and caller_e164(call):
        queue_sms(session, caller_e164(call), sms_body, now=now,
                  dedupe_key=f"callback:{call.call_sid}", subject=("callback_request",
                                                                    request.id))
    return request


def withdraw_callback(session: Session, call: Call, note: str) -> None:
    """A pending callback request the call no longer needs (its message became a work order
    after a late-arriving hang-up had filed one) is cancelled, with the reason."""
    request = session.scalar(select(CallbackRequest).where(
        CallbackRequest.call_id == call.id, CallbackRequest.result == "pending"))
    if request is not None:
        request.result = "cancelled"
        request.note = note


def close_from_queue(session: Session, call: Call, result: str, *, now: datetime,
                     due_in: timedelta, sms_body: str,
                     short_abandon: timedelta = timedelta(0)) -> None:
    """The `<Enqueue action>` request: how the wait ended (not when it was answered)."""
    if result == "bridged":
        if call.outcome is None:
            call.outcome = "answered"
    elif result == "leave":
        if call.outcome is None or call.outcome == "abandoned":
            call.outcome = "callback"
    elif result == "hangup":
        if call.outcome in (None, "abandoned"):
            call.outcome = "abandoned"
            call.ended_at = call.ended_at or now
            if not is_short_abandon(call, now, short_abandon):  # R2, R3
                request_callback(session, call, "abandoned", now=now, due_in=due_in,
                                 sms_body=sms_body)
    elif result in ("queue-full", "error", "system-error"):
        if call.outcome is None:
            call.outcome = "callback"
            request_callback(session, call, "queue_failed", now=now, due_in=due_in,
                             sms_body=sms_body)


@dataclass(frozen=True)
class CallbackPolicy:
    due_in: timedelta  # R3: when the callback is due
    short_abandon: timedelta  # R2: shorter abandons get none
    sms_body: Callable[[str], str]  # language -> the confirmation SMS


def callback_after_hangup(session: Session, call_sid: str, *, now: datetime,
                          policy: CallbackPolicy) -> CallbackRequest | None:
    """The `completed` status callback of a caller who asked for a person or reported a
    leak and was not answered, whenever they hung up (during the hold prompt no Enqueue
    action arrives): a callback request (R3), unless it was a short abandon (R2)."""
    call = session.scalar(select(Call).where(Call.call_sid == call_sid)
                          .execution_options(populate_existing=True))
    if (call is None or call.outcome != "abandoned" or call.asked_at is None
            or is_short_abandon(call, now, policy.short_abandon)):
        return None
    return request_callback(session, call, "abandoned", now=now, due_in=policy.due_in,
                            sms_body=policy.sms_body(call.language))


_CALLS = Call.__table__
_ADVANCE = (update(_CALLS)
            .where(_CALLS.c.call_sid == bindparam("sid"), _CALLS.c.status_rank < bindparam("rank"))
            .values(status=bindparam("status"), status_rank=bindparam("rank")))
_END = _ADVANCE.values(
    ended_at=func.coalesce(_CALLS.c.ended_at, bindparam("now", type_=Call.ended_at.type)),
    duration_seconds=func.coalesce(bindparam("duration", type_=Integer()),
                                   _CALLS.c.duration_seconds),
    outcome=func.coalesce(_CALLS.c.outcome, case(
        (_CALLS.c.answered_at.is_not(None), "answered"),
        (_CALLS.c.asked_at.is_not(None), "abandoned"),
        (_CALLS.c.entered_queue_at.is_not(None), "abandoned"),
        (_CALLS.c.direction == "inbound", "self_served"),
        else_=None)))


def apply_status(session: Session, call_sid: str, status: str, *, from_number: str,
                 to_number: str, direction: str, duration: int | None,
                 now: datetime) -> bool:
    """Move the call forward to `status` in one conditional UPDATE: a status at or below
    the current rank changes nothing (replays, out-of-order callbacks), also when two
    callbacks race. Returns whether it changed."""
    rank = STATUS_RANK.get(status)
    if rank is None:
        return False
    if rank == TERMINAL_RANK:
        stmt, params = _END, {"sid": call_sid, "rank": rank, "status": status, "now": now,
                              "duration": duration}
    else:
        stmt, params = _ADVANCE, {"sid": call_sid, "rank": rank, "status": status}
    if session.execute(stmt, params).rowcount:
        if rank == TERMINAL_RANK:
            _end_agent_call(session, call_sid, now)
        return True
    if session.scalar(select(_CALLS.c.id).where(_CALLS.c.call_sid == call_sid)) is not None:
        return False
    # A call we have not seen (an outbound call, or the status arrived first).
    open_call(session, call_sid, from_number=from_number, to_number=to_number, now=now,
              direction=direction_of(direction), status="queued")
    return bool(session.execute(stmt, params).rowcount)


def _end_agent_call(session: Session, call_sid: str, now: datetime) -> None:
    """The call ended: the agent on it goes to wrap-up (ivr.agent_states)."""
    call = session.scalar(select(Call).where(Call.call_sid == call_sid,
                                             Call.agent_id.is_not(None)))
    if call is not None:
        agent_states.end_call(session, call, now)


def agent_by_identity(session: Session, identity: str) -> User | None:
    """`client:<username>` (the browser softphone's identity) → an active agent."""
    username = identity.removeprefix("client:") if identity else ""
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or user.role not in roles.HOTLINE:
        return None
    return user


def set_availability(session: Session, user: User, available: bool, *,
                     now: datetime, wrap_up: timedelta = timedelta(0)) -> AgentPresence:
    """Available or offline (ivr.agent_states.choose_state has breaks with a reason)."""
    return agent_states.choose_state(session, user, "available" if available else "offline",
                                     now=now, wrap_up=wrap_up)


def touch_presence(session: Session, user: User, *, now: datetime,
                   wrap_up: timedelta) -> AgentPresence | None:
    """The softphone page polls: the console is open; a finished wrap-up is recorded."""
    presence = session.get(AgentPresence, user.id)
    if presence is not None:
        agent_states.settle(session, presence, now, wrap_up)
        if now - presence.seen_at > PRESENCE_TTL / 4:
            presence.seen_at = now
    return presence


def agents_available(session: Session, now: datetime, *, wrap_up: timedelta) -> int:
    """Agents available now (not on a call, in wrap-up, on a break or offline) whose
    console is open (seen recently): what decides priority queue or voicemail."""
    return agent_states.count_available(session, now, wrap_up)


def waiting_calls(session: Session, queue_name: str | None = None,
                  prompted: bool = False) -> list[Call]:
    """Callers in a queue now, oldest first. `prompted`: also those still hearing the hold
    prompt (Twilio queues them when it has been spoken)."""
    queued = Call.entered_queue_at.is_not(None)
    if prompted:
        queued = or_(queued, and_(Call.asked_at.is_not(None), Call.queue_name != ""))
    stmt = (select(Call).where(queued, Call.answered_at.is_(None),
                               Call.ended_at.is_(None), Call.outcome.is_(None))
            .order_by(Call.entered_queue_at, Call.id))
    if queue_name is not None:
        stmt = stmt.where(Call.queue_name == queue_name)
    return list(session.scalars(stmt))


def current_call_of(session: Session, user: User) -> Call | None:
    """The call bridged to this agent and not yet over (for the screen-pop)."""
    return session.scalar(
        select(Call).where(Call.agent_id == user.id, Call.ended_at.is_(None))
        .order_by(Call.answered_at.desc()).limit(1))


def recent_calls_from(session: Session, e164: str, limit: int = 10) -> list[Call]:
    return list(session.scalars(select(Call).where(Call.from_number == e164)
                                .order_by(Call.started_at.desc()).limit(limit)))
