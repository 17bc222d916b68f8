"""The TwiML Twilio fetches when a restoration call (queued by `restoration.notify_reporters`)
is answered: the restoration message in the reporter's language, then goodbye. Signed like
every Twilio endpoint (`hotline.telephony.signature`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.extensions import db
from hotline.outages.models import OutageNotice
from hotline.outages.restoration import restored_speech
from hotline.telephony.signature import twilio_blueprint
from hotline.telephony.speech import voice_of

bp = twilio_blueprint(Blueprint("outage_voice", __name__, url_prefix="/outage-calls"))


@bp.route("/<int:outage_id>/restored", methods=["POST"])
def restored_call(outage_id: int):
    language = "en" if request.args.get("lang") == "en" else "zh"
    outage = db.session.get(OutageNotice, outage_id)
    response = VoiceResponse()
    if outage is not None and outage.restored_at is not None:
        zone = ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])
        response.say(restored_speech(outage, language, zone), **voice_of(language))
    response.hangup()
    return Response(str(response), mimetype="text/xml")
