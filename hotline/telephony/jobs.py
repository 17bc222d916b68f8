"""The outbox retry pass, for the clock process (importable by reference) and the CLI:
messages whose delivery failed transiently are sent again once their backoff is over."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from hotline.clock import app_clock
from hotline.extensions import db
from hotline.telephony.outbox import deliver_pending
from hotline.telephony.plugin import telephony


def deliver_due(app: Flask, limit: int = 100) -> int:
    """One pass; returns how many messages were attempted."""
    with app.app_context():
        with Session(db.engine) as session:
            count = deliver_pending(session, telephony(app), app_clock(app).now(), limit=limit)
            session.commit()
    return count
