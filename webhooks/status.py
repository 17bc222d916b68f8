"""Call status callbacks: each stored once; the call only moves forward."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr.calls import apply_status
from webhooks.models import CallStatusEvent


def record_call_status(session: Session, form, *, now: datetime) -> bool:
    """Store the callback and apply it. A replay (same CallSid, CallStatus and
    SequenceNumber) is recognised by the unique constraint and changes nothing.
    Returns whether this was the first delivery."""
    sequence = form.get("SequenceNumber", "")
    duration = form.get("CallDuration", "")
    event = CallStatusEvent(call_sid=form["CallSid"][:64], call_status=form["CallStatus"][:16],
                            sequence_number=int(sequence) if sequence.isdigit() else -1,
                            call_duration=int(duration) if duration.isdigit() else None,
                            received_at=now)
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        return False
    apply_status(session, event.call_sid, event.call_status, from_number=form.get("From", ""),
                 to_number=form.get("To", ""), direction=form.get("Direction", ""),
                 duration=event.call_duration, now=now)
    return True
