"""Wires the telephony adapter into the app and delivers queued messages after commit."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from hotline.clock import app_clock
from hotline.extensions import db
from hotline.telephony.adapter import LocalOutboxAdapter, TelephonyAdapter
from hotline.telephony.outbox import NEW_IDS_KEY, deliver_pending


def make_adapter(app: Flask) -> TelephonyAdapter:
    if app.config.get("TELEPHONY_ADAPTER") is not None:
        return app.config["TELEPHONY_ADAPTER"]
    if app.config["HOTLINE_TELEPHONY"] == "twilio":
        from hotline.telephony.twilio_adapter import TwilioAdapter

        public = (app.config.get("HOTLINE_PUBLIC_URL") or "").rstrip("/")
        return TwilioAdapter(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"],
                             app.config["TWILIO_PHONE_NUMBER"],
                             http_client=app.config.get("TWILIO_HTTP_CLIENT"),
                             sms_status_callback=f"{public}/webhooks/twilio/sms-status"
                             if public else "")
    return LocalOutboxAdapter()


def telephony(app: Flask | None = None) -> TelephonyAdapter:
    return (app or current_app).extensions["hotline.telephony"]


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint was released (add_once); the outer transaction has not committed yet.
        return
    ids = session.info.pop(NEW_IDS_KEY, None)
    if not ids or not has_app_context():
        return
    app = current_app._get_current_object()
    # A fresh session: the committed one cannot run SQL inside its own after_commit.
    with Session(db.engine) as delivery:
        deliver_pending(delivery, telephony(app), app_clock(app).now(), ids=ids)
        delivery.commit()


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    # A savepoint rolling back (a lost insert race) keeps the outer transaction's messages.
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(NEW_IDS_KEY, None)


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    app.extensions["hotline.telephony"] = make_adapter(app)
    if not _listening:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        _listening = True
