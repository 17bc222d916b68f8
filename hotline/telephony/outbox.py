"""Queue outbound messages inside the business transaction. Nothing here talks to Twilio:
a delivery worker (`hotline/telephony/delivery.py`, `hotline telephony worker`) sends what
the committed transactions left in the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.db import add_once
from hotline.directory.phones import masked
from hotline.errors import Conflict, NotFound
from hotline.telephony.models import OutboxMessage

MAX_ATTEMPTS = 6
# PostgreSQL: the channel the delivery workers LISTEN on.
NOTIFY_CHANNEL = "hotline_outbox"


def wake_workers(session: Session) -> None:
    """PostgreSQL: NOTIFY the delivery workers. The server delivers the notification only
    when this transaction commits (never on rollback), so a worker never looks before the
    row is visible. SQLite has no NOTIFY: its workers poll."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")))


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
    wake_workers(session)
    return message


def queue_sms(session: Session, to: str, body: str, *, now: datetime,
              dedupe_key: str | None = None,
              subject: tuple[str, int] | None = None) -> OutboxMessage:
    """Record an SMS; the delivery worker sends it once the current transaction commits."""
    return _queue(session, channel="sms", to=to, body=body, now=now,
                  dedupe_key=dedupe_key, subject=subject)


def queue_call(session: Session, to: str, url: str, purpose: str, *, now: datetime,
               dedupe_key: str | None = None,
               subject: tuple[str, int] | None = None) -> OutboxMessage:
    """Record an outbound call; the delivery worker places it once the transaction commits."""
    return _queue(session, channel="call", to=to, body=purpose, call_url=url, now=now,
                  dedupe_key=dedupe_key, subject=subject)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def resend(session: Session, ids: Iterable[int], *, now: datetime) -> list[OutboxMessage]:
    """Put failed messages back in the queue with a fresh set of attempts; the delivery
    worker sends them. Every id is checked first: an unknown id, or a message that is not
    failed (still waiting, or sent), is refused by name and nothing changes."""
    wanted = list(dict.fromkeys(ids))
    rows = {m.id: m for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(wanted)))}
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise NotFound(_("No message #%(id)s.", id=missing[0]), fields={"id": missing[0]})
    for message_id in wanted:
        message = rows[message_id]
        if message.status == "sent":
            raise Conflict(_("Message #%(id)s was sent already.", id=message_id),
                           fields={"id": message_id})
        if message.status != "failed":
            raise Conflict(_("Message #%(id)s is still waiting to be sent.", id=message_id),
                           fields={"id": message_id})
    for message_id in wanted:
        message = rows[message_id]
        message.status = "pending"
        message.attempts = 0
        message.next_attempt_at = now
        message.claimed_by = None
        message.claimed_until = None
    session.flush()
    wake_workers(session)
    return [rows[i] for i in wanted]


def shown_number(to: str) -> str:
    """A number as a log line or a notification may show it (softphone targets as they are)."""
    return to if to.startswith("client:") else masked(to)


def describe(message: OutboxMessage) -> str:
    return f"{message.channel} to {masked(message.to_number)} [{message.status}]"
