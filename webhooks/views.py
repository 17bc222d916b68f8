"""Twilio's callbacks. Signed like every Twilio endpoint, CSRF-exempt."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from hotline.clock import utcnow
from hotline.errors import ValidationFailed
from hotline.extensions import db
from hotline.telephony.signature import twilio_blueprint
from ivr import recordings
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


@bp.route("/recording-status", methods=["POST"])
def recording_status():
    """`recordingStatusCallback` of a recorded agent call (`<Dial record>`): RecordingSid,
    RecordingUrl and RecordingDuration go on the call and its local copy is queued. A
    replay changes nothing; a callback before the bridge was recorded waits for it."""
    missing = {name: "required" for name in ("CallSid", "RecordingSid")
               if not request.form.get(name)}
    if missing:
        raise ValidationFailed("CallSid and RecordingSid are required", fields=missing)
    recordings.store_recording(db.session, recordings.RecordingReport.from_form(request.form),
                               now=utcnow(), config=current_app.config)
    db.session.commit()
    return "", 204
