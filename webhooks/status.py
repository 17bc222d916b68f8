"""Call status callbacks: each stored once; the call only moves forward."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from ivr.calls import apply_status, insert_ignoring_duplicates
from webhooks.models import CallStatusEvent


def record_call_status(connection: Connection, form, *, now: datetime) -> bool:
    """Store the callback and apply it. A replay (same CallSid, CallStatus and
    SequenceNumber) is recognised by the unique constraint and changes nothing.
    Returns whether this was the first delivery."""
    sequence = form.get("SequenceNumber", "")
    duration = form.get("CallDuration", "")
    call_sid, status = form["CallSid"][:64], form["CallStatus"][:16]
    insert = insert_ignoring_duplicates(connection, CallStatusEvent.__table__)
    stored = connection.execute(insert, {
        "call_sid": call_sid, "call_status": status,
        "sequence_number": int(sequence) if sequence.isdigit() else -1,
        "call_duration": int(duration) if duration.isdigit() else None, "received_at": now})
    if not stored.rowcount:
        return False
    apply_status(connection, call_sid, status, from_number=form.get("From", ""),
                 to_number=form.get("To", ""), direction=form.get("Direction", ""),
                 duration=int(duration) if duration.isdigit() else None, now=now)
    return True
