from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from hotline.clock import utcnow
from hotline.extensions import db
from hotline.telephony.outbox import deliver_pending
from hotline.telephony.plugin import telephony

telephony_cli = AppGroup("telephony", help="Outbound SMS and calls (the outbox).")


@telephony_cli.command("deliver")
@click.option("--limit", default=100, show_default=True)
def deliver(limit: int) -> None:
    """Send the outbox messages that are due (retries after a transient failure). The clock
    process does this every tick; this is for operators."""
    count = deliver_pending(db.session, telephony(current_app._get_current_object()), utcnow(),
                            limit=limit)
    db.session.commit()
    click.echo(f"{count} attempted")
