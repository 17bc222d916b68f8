"""Status callbacks. Calls: each stored once; the call only moves forward. SMS: a message
Twilio could not deliver is marked failed in the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.telephony.models import OutboxMessage
from ivr.calls import (TERMINAL_RANK, STATUS_RANK, CallbackPolicy, apply_status,
                       callback_after_hangup, insert_ignoring_duplicates)
from webhooks.models import CallStatusEvent


def record_call_status(session: Session, form, *, now: datetime,
                       callbacks: CallbackPolicy | None = None) -> bool:
    """Store the callback and apply it. A replay (same CallSid, CallStatus and
    SequenceNumber) is recognised by the unique constraint and changes nothing.
    The end of a call whose caller asked for a person and was not answered files a
    callback request under `callbacks` (R2, R3). Returns whether this was the first
    delivery."""
    sequence = form.get("SequenceNumber", "")
    duration = form.get("CallDuration", "")
    call_sid, status = form["CallSid"][:64], form["CallStatus"][:16]
    insert = insert_ignoring_duplicates(session, CallStatusEvent.__table__)
    stored = session.execute(insert, {
        "call_sid": call_sid, "call_status": status,
        "sequence_number": int(sequence) if sequence.isdigit() else -1,
        "call_duration": int(duration) if duration.isdigit() else None, "received_at": now})
    if not stored.rowcount:
        return False
    ended = apply_status(session, call_sid, status, from_number=form.get("From", ""),
                         to_number=form.get("To", ""), direction=form.get("Direction", ""),
                         duration=int(duration) if duration.isdigit() else None, now=now)
    if ended and callbacks is not None and STATUS_RANK[status] == TERMINAL_RANK:
        callback_after_hangup(session, call_sid, now=now, policy=callbacks)
    return True


FAILED_SMS = ("failed", "undelivered")


def record_sms_status(session: Session, form) -> bool:
    """Twilio accepted the message (the outbox row is `sent`) and later could not deliver
    it: mark it failed with Twilio's error code, so the console shows it. Other statuses
    (queued, sent, delivered) change nothing; a replay finds the row already failed."""
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if status not in FAILED_SMS:
        return False
    message = session.scalar(select(OutboxMessage).where(
        OutboxMessage.provider_sid == form.get("MessageSid", ""),
        OutboxMessage.channel == "sms"))
    if message is None or message.status == "failed":
        return False
    message.status = "failed"
    message.last_error = f"{form.get('ErrorCode', '')} {status}".strip()
    return True
