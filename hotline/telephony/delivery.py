"""Delivering the outbox. One message at a time:

1. claim it in a short transaction of its own (committed before anything leaves):
   `claimed_by` = a token of this worker, `claimed_until` = now + the lease;
2. call Twilio with no transaction open and no lock held, bounded by the HTTP timeout;
3. record the outcome in a second short transaction, only if the claim is still ours.

Two workers never claim one message: on PostgreSQL the claim's inner SELECT skips rows
another worker has locked (`FOR UPDATE SKIP LOCKED`) and re-checks the row it locks; on
SQLite the claiming UPDATE is the first statement of its transaction and runs under the
database's single writer lock, so its WHERE sees every committed claim. A claim whose
worker died lapses at `claimed_until` and the message is claimed again.

The claim functions take `session` and `now` and never commit; `deliver_one` and
`deliver_due` are the boundary (worker, clock job, CLI) and commit each step."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Event

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hotline.clock import Clock, app_clock
from hotline.extensions import db
from hotline.notifications.services import notify
from hotline.telephony.adapter import DeliveryError, TelephonyAdapter
from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import MAX_ATTEMPTS, backoff, shown_number
from hotline.telephony.plugin import telephony

log = logging.getLogger("hotline.telephony.outbox")  # under the app's JSON log handler

# The console page where a failed message can be re-sent (ivr's Messages page).
MESSAGES_LINK = "/telephony/outbox"


@dataclass(frozen=True)
class Claim:
    """A claimed message, copied out of the database so that sending needs no session."""

    id: int
    channel: str
    to_number: str
    body: str
    call_url: str
    attempts: int  # including this one
    token: str


def _claimable(now: datetime):
    return and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))


def _due(now: datetime, due_before: datetime | None):
    due = now if due_before is None else min(now, due_before)
    return and_(_claimable(now), OutboxMessage.next_attempt_at <= due)


def has_due(session: Session, now: datetime, *, due_before: datetime | None = None) -> bool:
    return session.scalar(select(OutboxMessage.id).where(_due(now, due_before)).limit(1)) \
        is not None


def claim_next(session: Session, token: str, now: datetime, lease: timedelta, *,
               due_before: datetime | None = None) -> Claim | None:
    """Claim the message that has waited longest (due by `due_before`, default now) for
    `token` until `now + lease`, counting the attempt. Must be the first statement of its
    transaction (SQLite: a write statement takes the writer lock before it reads)."""
    oldest = (select(OutboxMessage.id)
              .where(_due(now, due_before))
              .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
              .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing
              .scalar_subquery())
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.id == oldest, _claimable(now))
            .values(claimed_by=token, claimed_until=now + lease,
                    attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.to_number,
                       OutboxMessage.body, OutboxMessage.call_url, OutboxMessage.attempts)
            .execution_options(synchronize_session=False))
    row = session.execute(stmt).one_or_none()
    return None if row is None else Claim(*row, token=token)


def send(adapter: TelephonyAdapter, claim: Claim) -> str:
    """The network call. Anything unexpected is a transient failure (retried with backoff)."""
    try:
        if claim.channel == "sms":
            return adapter.send_sms(claim.to_number, claim.body)
        return adapter.place_call(claim.to_number, claim.call_url)
    except DeliveryError:
        raise
    except Exception as err:  # noqa: BLE001 - recorded and retried, never lost
        log.exception("outbox: unexpected error sending message %s", claim.id)
        raise DeliveryError(str(err) or type(err).__name__) from err


def _release(session: Session, claim: Claim, **values) -> bool:
    """Write the outcome and clear the claim, only if the claim is still ours."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claim.id, OutboxMessage.claimed_by == claim.token)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    if not result.rowcount:
        log.warning("outbox: the claim on message %s lapsed before its outcome was recorded; "
                    "raise OUTBOX_CLAIM_SECONDS above TWILIO_HTTP_TIMEOUT_SECONDS", claim.id,
                    extra={"fields": {"message_id": claim.id, "channel": claim.channel}})
    return bool(result.rowcount)


def record_sent(session: Session, claim: Claim, provider: str, sid: str,
                now: datetime) -> bool:
    return _release(session, claim, status="sent", provider=provider, provider_sid=sid,
                    sent_at=now, last_error="")


def record_failure(session: Session, claim: Claim, provider: str, err: DeliveryError,
                   now: datetime) -> str:
    """A failed attempt: retried after a backoff, or failed for good (a permanent error, or
    the last of MAX_ATTEMPTS), which tells the supervisors. Returns 'retry' or 'failed'."""
    error = f"{err.code or ''} {err}".strip()
    final = err.permanent or claim.attempts >= MAX_ATTEMPTS
    fields = {"message_id": claim.id, "channel": claim.channel,
              "to": shown_number(claim.to_number), "attempt": claim.attempts,
              "error": error, "permanent": err.permanent}
    log.warning("outbox: attempt %s of message %s (%s to %s) failed: %s", claim.attempts,
                claim.id, claim.channel, shown_number(claim.to_number), error,
                extra={"fields": fields})
    if not final:
        _release(session, claim, provider=provider, last_error=error,
                 next_attempt_at=now + backoff(claim.attempts))
        return "retry"
    if _release(session, claim, provider=provider, last_error=error, status="failed"):
        log.error("outbox: message %s (%s to %s) failed for good after %s attempt(s): %s",
                  claim.id, claim.channel, shown_number(claim.to_number), claim.attempts,
                  error, extra={"fields": fields})
        notify_failed(session, claim, error, now)
    return "failed"


def notify_failed(session: Session, claim: Claim, error: str, now: datetime) -> None:
    """Tell the supervisors; they re-send it from Messages (or `hotline telephony resend`)."""
    what = _("SMS") if claim.channel == "sms" else _("Call")
    notify(session, dedupe_key=f"outbox-failed-{claim.id}-{claim.token}", kind="outbox",
           severity="error", role="supervisor", now=now, link=MESSAGES_LINK,
           title=_("Message #%(id)s could not be sent", id=claim.id),
           body=_("%(what)s to %(to)s failed after %(attempts)s attempt(s): %(error)s. "
                  "Re-send it from Messages once the cause is fixed.",
                  what=what, to=shown_number(claim.to_number), attempts=claim.attempts,
                  error=error))


def new_token(worker: str) -> str:
    return f"{worker[:40]}:{uuid.uuid4().hex[:16]}"


def deliver_one(engine: Engine, adapter: TelephonyAdapter, clock: Clock, *, worker: str,
                lease: timedelta, due_before: datetime | None = None) -> str | None:
    """Claim, send and record one message. Returns 'sent', 'retry', 'failed', or None when
    nothing was due. Needs an app context (notifications are translated)."""
    token = new_token(worker)
    with Session(engine) as session:
        now = clock.now()
        # An idle worker only reads: on SQLite the claim takes the writer lock.
        if not has_due(session, now, due_before=due_before):
            return None
        session.rollback()  # the claim starts its own transaction
        claim = claim_next(session, token, now, lease, due_before=due_before)
        session.commit()
    if claim is None:
        return None
    try:
        sid, failure = send(adapter, claim), None
    except DeliveryError as err:
        sid, failure = "", err
    attempt = 0
    while True:  # a sent message whose outcome is lost would be sent again: insist a little
        attempt += 1
        try:
            with Session(engine) as session:
                if failure is None:
                    record_sent(session, claim, adapter.name, sid, clock.now())
                    outcome = "sent"
                else:
                    outcome = record_failure(session, claim, adapter.name, failure,
                                             clock.now())
                session.commit()
            return outcome
        except Exception:
            if attempt == 3:
                log.exception("outbox: could not record the outcome of message %s (%s); it "
                              "is sent again once its claim lapses", claim.id, sid or "failed")
                raise
            time.sleep(1)


def claim_lease(app: Flask) -> timedelta:
    return timedelta(seconds=float(app.config["OUTBOX_CLAIM_SECONDS"]))


def deliver_due(app: Flask, *, worker: str = "cli", limit: int | None = None,
                due_before: datetime | None = None, budget_seconds: float | None = None,
                stop: Event | None = None) -> int:
    """Send due messages one at a time until none is due, `limit` were attempted, the
    budget (seconds, checked before each claim) is spent or `stop` is set. Returns how
    many were attempted."""
    started = time.monotonic()
    attempted = 0
    with app.app_context():
        engine, adapter, clock = db.engine, telephony(app), app_clock(app)
        lease = claim_lease(app)
        while limit is None or attempted < limit:
            if stop is not None and stop.is_set():
                break
            if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
                break
            if deliver_one(engine, adapter, clock, worker=worker, lease=lease,
                           due_before=due_before) is None:
                break
            attempted += 1
    return attempted


def next_due_at(session: Session, now: datetime) -> datetime | None:
    """When the next pending message becomes claimable: its retry time, or when the claim
    on it lapses."""
    retry = session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status == "pending",
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)))
    lapse = session.scalar(select(func.min(OutboxMessage.claimed_until)).where(
        OutboxMessage.status == "pending", OutboxMessage.claimed_until > now))
    times = [t for t in (retry, lapse) if t is not None]
    return min(times) if times else None
