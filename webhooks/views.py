"""Twilio's callbacks. Signed like every Twilio endpoint, CSRF-exempt."""

from __future__ import annotations

from flask import Blueprint, request

from hotline.clock import utcnow
from hotline.errors import ValidationFailed
from hotline.extensions import db
from hotline.telephony.signature import twilio_blueprint
from ivr.queue_views import callback_policy
from webhooks.status import record_call_status, record_sms_status

bp = twilio_blueprint(Blueprint("webhooks", __name__, url_prefix="/webhooks/twilio"))


@bp.route("/call-status", methods=["POST"])
def call_status():
    missing = {name: "required" for name in ("CallSid", "CallStatus")
               if not request.form.get(name)}
    if missing:
        raise ValidationFailed("CallSid and CallStatus are required", fields=missing)
    record_call_status(db.session, request.form, now=utcnow(), callbacks=callback_policy())
    db.session.commit()
    return "", 204


@bp.route("/sms-status", methods=["POST"])
def sms_status():
    if not request.form.get("MessageSid"):
        raise ValidationFailed("MessageSid is required", fields={"MessageSid": "required"})
    record_sms_status(db.session, request.form)
    db.session.commit()
    return "", 204
