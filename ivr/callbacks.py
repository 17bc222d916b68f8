"""Calling customers back (R3) from the console: the agent's softphone rings first, and its
answered leg dials the customer (click-to-call); the agent records how the callback went.
Services: they take the session and `now` and the public base URL Twilio calls back on; the
console commits."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.errors import Conflict, NotFound, ValidationFailed
from hotline.telephony.outbox import queue_call
from ivr import calls
from ivr.models import Call, CallbackRequest

RESULTS = ("reached", "no_answer", "cancelled")


def agent_target(agent: User) -> str:
    # Twilio rings the agent's browser softphone first (`client:<username>`).
    return f"client:{agent.username}"


def ring_for_callback(session: Session, callback_id: int, agent: User, *, now: datetime,
                      public_base: str) -> CallbackRequest:
    """Click-to-call a pending callback request: ring the agent, whose answered leg then
    dials the customer."""
    row = session.get(CallbackRequest, callback_id)
    if row is None:
        raise NotFound(_("No such callback request."))
    if row.result != "pending":
        raise Conflict(_("This callback request is already closed."))
    row.attempts += 1
    row.last_attempt_at = now
    row.last_attempt_by_id = agent.id
    queue_call(session, agent_target(agent),
               f"{public_base}/ivr/outbound/connect?callback={row.id}",
               f"callback #{row.id}", now=now, subject=("callback_request", row.id))
    return row


def record_result(session: Session, callback_id: int, result: str | None,
                  note: str | None) -> CallbackRequest:
    """How the callback went; "no_answer" leaves it pending for another attempt."""
    row = session.get(CallbackRequest, callback_id)
    if row is None:
        raise NotFound(_("No such callback request."))
    if result not in RESULTS:
        raise ValidationFailed(_("Choose a result."), fields={"result": result})
    if result == "no_answer":
        row.attempts = max(row.attempts, 1)
    else:
        row.result = result
    row.note = (note or row.note)[:1000]
    return row


def ring_for_follow_up(session: Session, call_id: int, agent: User, *, now: datetime,
                       public_base: str) -> Call:
    """A follow-up call to the number of an earlier call, through the agent's softphone."""
    call = session.get(Call, call_id)
    if call is None or not calls.caller_e164(call):
        raise NotFound(_("No such call, or it has no number to call back."))
    queue_call(session, agent_target(agent),
               f"{public_base}/ivr/outbound/connect?call={call.id}",
               f"follow-up of call #{call.id}", now=now, subject=("call", call.id))
    return call
