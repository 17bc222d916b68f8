"""`hotline telephony worker`: the long-running delivery process (Procfile `worker`).

It sends what is due, then waits. On PostgreSQL it LISTENs on `hotline_outbox` (every
enqueue NOTIFYs in its own transaction, delivered on commit), so a new message is sent at
once; between notifications it wakes only when a retry falls due or a claim lapses (and at
least every IDLE_WAKE_SECONDS). On SQLite it polls every `OUTBOX_POLL_SECONDS`. Any number
of workers may run: claims keep them from sending one message twice."""

from __future__ import annotations

import logging
import os
import socket
from threading import Event

from flask import Flask
from sqlalchemy.orm import Session

from hotline.clock import app_clock
from hotline.extensions import db
from hotline.telephony.delivery import deliver_due, next_due_at
from hotline.telephony.outbox import NOTIFY_CHANNEL

log = logging.getLogger("hotline.telephony.worker")  # under the app's JSON log handler

# PostgreSQL: the longest wait without a notification (a missed NOTIFY while reconnecting).
IDLE_WAKE_SECONDS = 30.0
# How often a waiting worker looks at its stop flag.
STOP_CHECK_SECONDS = 1.0


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class PollWaiter:
    """SQLite: sleep for the poll interval (or until stopped)."""

    def __init__(self, app: Flask):
        self.poll = float(app.config["OUTBOX_POLL_SECONDS"])

    def wait(self, app: Flask, stop: Event) -> None:
        stop.wait(self.poll)

    def close(self) -> None:
        pass


class NotifyWaiter:
    """PostgreSQL: a dedicated autocommit connection LISTENing on the outbox channel."""

    def __init__(self, app: Flask):
        import psycopg

        with app.app_context():
            url = db.engine.url.set(drivername="postgresql")
        self.conn = psycopg.connect(url.render_as_string(hide_password=False),
                                    autocommit=True)
        self.conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

    def wait(self, app: Flask, stop: Event) -> None:
        with app.app_context():
            now = app_clock(app).now()
            with Session(db.engine) as session:
                due = next_due_at(session, now)
        seconds = IDLE_WAKE_SECONDS
        if due is not None:
            seconds = min(seconds, max((due - now).total_seconds(), 0.0))
        self.wait_for_notify(seconds, stop)

    def wait_for_notify(self, seconds: float, stop: Event) -> bool:
        """True when a notification came within `seconds` (all queued ones are consumed)."""
        remaining = seconds
        while remaining > 0 and not stop.is_set():
            step = min(remaining, STOP_CHECK_SECONDS)
            notices = self.conn.notifies(timeout=step, stop_after=1)
            try:
                notified = next(notices, None) is not None
            finally:
                notices.close()  # the generator holds the connection's lock until closed
            if notified:
                for _queued in self.conn.notifies(timeout=0.001):
                    pass  # one delivery pass serves every queued notification
                return True
            remaining -= step
        return False

    def close(self) -> None:
        self.conn.close()


def make_waiter(app: Flask):
    with app.app_context():
        dialect = db.engine.dialect.name
    return NotifyWaiter(app) if dialect == "postgresql" else PollWaiter(app)


def run(app: Flask, stop: Event, *, name: str | None = None) -> None:
    """Deliver until `stop` is set. A failed pass (database down) is logged and retried
    after the poll interval; the listener reconnects."""
    name = name or default_name()
    poll = float(app.config["OUTBOX_POLL_SECONDS"])
    waiter = None
    log.info("outbox worker %s starting", name)
    while not stop.is_set():
        try:
            if waiter is None:
                waiter = make_waiter(app)  # LISTEN before looking, so no NOTIFY is missed
            sent = deliver_due(app, worker=name, stop=stop)
            if sent:
                log.info("outbox worker %s: %s message(s) attempted", name, sent)
                continue  # more may have arrived meanwhile
            waiter.wait(app, stop)
        except Exception:
            log.exception("outbox worker %s: delivery pass failed; retrying", name)
            if waiter is not None:
                try:
                    waiter.close()
                except Exception:  # noqa: BLE001 - the connection is gone anyway
                    pass
                waiter = None
            stop.wait(poll)
    if waiter is not None:
        waiter.close()
    log.info("outbox worker %s stopped", name)
