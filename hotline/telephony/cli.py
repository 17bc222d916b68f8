from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from hotline.clock import utcnow
from hotline.errors import DomainError
from hotline.extensions import db
from hotline.telephony import worker as delivery_worker
from hotline.telephony.delivery import deliver_due
from hotline.telephony.outbox import resend as resend_messages

telephony_cli = AppGroup("telephony", help="Outbound SMS and calls (the outbox).")
log = logging.getLogger("hotline.telephony.worker")


@telephony_cli.command("worker")
@click.option("--name", default="", help="Shown in logs and claims (default host:pid).")
def worker(name: str) -> None:
    """Run the delivery worker: sends outbox messages as they are queued (the Procfile's
    `worker` process). Ctrl-C or SIGTERM stops it after the message in hand."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()

    def _stop(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    try:
        delivery_worker.run(app, stop, name=name or None)
    except KeyboardInterrupt:
        stop.set()


@telephony_cli.command("deliver")
@click.option("--limit", default=100, show_default=True)
def deliver(limit: int) -> None:
    """Send the outbox messages that are due now, once (the worker does this all the time;
    this is for operators)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    count = deliver_due(app, worker="cli", limit=limit)
    click.echo(f"{count} attempted")


@telephony_cli.command("resend")
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID [ID...]")
def resend(ids: tuple[int, ...]) -> None:
    """Send failed messages again (their numbers are in the console's Messages page). The
    delivery worker sends them; nothing changes if any id is unknown or not failed."""
    try:
        messages = resend_messages(db.session, ids, now=utcnow())
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(f"id: {err.message}") from None
    for message in messages:
        log.info("outbox: message %s re-sent from the command line", message.id,
                 extra={"fields": {"message_id": message.id, "channel": message.channel}})
    click.echo(f"{len(messages)} message(s) queued again: "
               + ", ".join(f"#{m.id}" for m in messages))
