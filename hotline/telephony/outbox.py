"""Queue outbound messages inside the business transaction; deliver them after commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import add_once
from hotline.directory.phones import masked
from hotline.telephony.adapter import DeliveryError, TelephonyAdapter
from hotline.telephony.models import OutboxMessage

MAX_ATTEMPTS = 6
NEW_IDS_KEY = "hotline.outbox.new"


def _queue(session: Session, *, channel: str, to: str, body: str, now: datetime,
           call_url: str = "", dedupe_key: str | None = None,
           subject: tuple[str, int] | None = None) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel, to_number=to, body=body, call_url=call_url, status="pending",
        attempts=0, next_attempt_at=now, dedupe_key=dedupe_key, created_at=now,
        subject_type=subject[0] if subject else "", subject_id=subject[1] if subject else None,
        last_error="", provider="", provider_sid="",
    )
    if dedupe_key:
        message, created = add_once(session, message, OutboxMessage, dedupe_key=dedupe_key)
        if not created:
            return message
    else:
        session.add(message)
    session.flush()
    session.info.setdefault(NEW_IDS_KEY, []).append(message.id)
    return message


def queue_sms(session: Session, to: str, body: str, *, now: datetime,
              dedupe_key: str | None = None,
              subject: tuple[str, int] | None = None) -> OutboxMessage:
    """Record an SMS to send once the current transaction commits."""
    return _queue(session, channel="sms", to=to, body=body, now=now,
                  dedupe_key=dedupe_key, subject=subject)


def queue_call(session: Session, to: str, url: str, purpose: str, *, now: datetime,
               dedupe_key: str | None = None,
               subject: tuple[str, int] | None = None) -> OutboxMessage:
    """Record an outbound call to place once the current transaction commits."""
    return _queue(session, channel="call", to=to, body=purpose, call_url=url, now=now,
                  dedupe_key=dedupe_key, subject=subject)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def deliver(session: Session, message: OutboxMessage, adapter: TelephonyAdapter,
            now: datetime) -> None:
    message.attempts += 1
    message.provider = adapter.name
    try:
        if message.channel == "sms":
            sid = adapter.send_sms(message.to_number, message.body)
        else:
            sid = adapter.place_call(message.to_number, message.call_url)
    except DeliveryError as err:
        message.last_error = f"{err.code or ''} {err}".strip()
        if err.permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        return
    message.status = "sent"
    message.provider_sid = sid
    message.sent_at = now
    message.last_error = ""


def deliver_pending(session: Session, adapter: TelephonyAdapter, now: datetime, *,
                    ids: list[int] | None = None, limit: int = 100) -> int:
    """Deliver pending messages whose time has come (or exactly `ids`). Returns how many
    were attempted. Rows are locked so two clock processes never send one twice."""
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(limit))
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    messages = list(session.scalars(stmt))
    for message in messages:
        deliver(session, message, adapter, now)
    return len(messages)


def describe(message: OutboxMessage) -> str:
    return f"{message.channel} to {masked(message.to_number)} [{message.status}]"
