"""The agent console: softphone page with availability and screen-pop, voice access tokens,
callback requests, the outbox, click-to-call."""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.services import accounts_by_phone
from hotline.errors import Conflict, NotFound, ValidationFailed
from hotline.extensions import db
from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import queue_call, resend as resend_messages
from hotline.telephony.signature import public_base
from ivr import calls, menus
from ivr.models import AgentPresence, Call, CallbackRequest

bp = Blueprint("ivr_console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/ivr")
AGENT_ROLES = calls.AGENT_ROLES
CALLBACK_RESULTS = ("reached", "no_answer", "cancelled")


def _outbox_mode() -> bool:
    return current_app.config["HOTLINE_TELEPHONY"] == "outbox"


@bp.route("/softphone")
@login_required
@require_role(*AGENT_ROLES)
def softphone():
    presence = db.session.get(AgentPresence, current_user.id)
    counts = {q: len(calls.waiting_calls(db.session, q))
              for q in (menus.PRIORITY_QUEUE, menus.NORMAL_QUEUE)}
    return render_template("ivr/softphone.html", presence=presence, counts=counts,
                           outbox_mode=_outbox_mode(),
                           priority_queue=menus.PRIORITY_QUEUE, normal_queue=menus.NORMAL_QUEUE)


@bp.route("/softphone/availability", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def availability():
    value = request.form.get("available")
    if value not in ("0", "1"):
        raise ValidationFailed(_("Choose available or away."), fields={"available": value})
    calls.set_availability(db.session, current_user, value == "1", now=utcnow())
    db.session.commit()
    return redirect(url_for("ivr_console.softphone"))


@bp.route("/softphone/token")
@login_required
@require_role(*AGENT_ROLES)
def token():
    """A Twilio Voice access token for the browser softphone; identity = username."""
    config = current_app.config
    if not (config["TWILIO_API_KEY_SID"] and config["TWILIO_API_KEY_SECRET"]
            and config["TWILIO_TWIML_APP_SID"]):
        raise Conflict(_("The softphone needs TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET and "
                         "TWILIO_TWIML_APP_SID."))
    access = AccessToken(config["TWILIO_ACCOUNT_SID"], config["TWILIO_API_KEY_SID"],
                         config["TWILIO_API_KEY_SECRET"], identity=current_user.username,
                         ttl=3600)
    access.add_grant(VoiceGrant(outgoing_application_sid=config["TWILIO_TWIML_APP_SID"],
                                incoming_allow=True))
    return jsonify({"identity": current_user.username, "token": access.to_jwt()})


@bp.route("/softphone/current")
@login_required
@require_role(*AGENT_ROLES)
def current():
    """The screen-pop: the caller bridged to this agent and their household file (R30)."""
    calls.touch_presence(db.session, current_user, now=utcnow())
    db.session.commit()
    call = calls.current_call_of(db.session, current_user)
    counts = {q: len(calls.waiting_calls(db.session, q))
              for q in (menus.PRIORITY_QUEUE, menus.NORMAL_QUEUE)}
    if call is None:
        return render_template("ivr/_screenpop.html", call=None, counts=counts)
    e164 = calls.caller_e164(call)
    accounts = accounts_by_phone(db.session, call.from_number) if e164 else []
    recent = calls.recent_calls_from(db.session, call.from_number)
    return render_template("ivr/_screenpop.html", call=call, accounts=accounts, recent=recent,
                           e164=e164, counts=counts)


@bp.route("/softphone/answer-next", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def answer_next():
    """Outbox mode: what the softphone's call to the TwiML App would do."""
    if not _outbox_mode():
        abort(404)
    from ivr.simulator import answer_next as drive_answer

    return jsonify(drive_answer(current_user.username))


@bp.route("/softphone/hangup", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def hangup():
    if not _outbox_mode():
        abort(404)
    from ivr.simulator import hang_up_agent_call

    call = calls.current_call_of(db.session, current_user)
    if call is None:
        raise NotFound(_("You are not on a call."))
    hang_up_agent_call(call)
    return jsonify({"ended": call.call_sid})


@bp.route("/telephony/callbacks")
@login_required
@require_role(*AGENT_ROLES)
def callbacks():
    show = request.args.get("show", "pending")
    stmt = select(CallbackRequest).order_by(CallbackRequest.due_at).limit(200)
    if show == "pending":
        stmt = stmt.where(CallbackRequest.result == "pending")
    rows = list(db.session.scalars(stmt))
    return render_template("ivr/callbacks.html", rows=rows, show=show,
                           results=CALLBACK_RESULTS, now=utcnow())


def _agent_target() -> str:
    # Twilio rings the agent's browser softphone first (`client:<username>`), or their phone.
    return f"client:{current_user.username}"


@bp.route("/telephony/callbacks/<int:callback_id>/call", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def call_back(callback_id: int):
    """Click-to-call: ring the agent, whose answered leg then dials the customer."""
    row = db.session.get(CallbackRequest, callback_id)
    if row is None:
        raise NotFound(_("No such callback request."))
    if row.result != "pending":
        raise Conflict(_("This callback request is already closed."))
    now = utcnow()
    row.attempts += 1
    row.last_attempt_at = now
    row.last_attempt_by_id = current_user.id
    queue_call(db.session, _agent_target(),
               f"{public_base()}/ivr/outbound/connect?callback={row.id}",
               f"callback #{row.id}", now=now, subject=("callback_request", row.id))
    db.session.commit()
    flash(_("Calling your softphone; answer it to be connected to the customer."), "success")
    return redirect(url_for("ivr_console.callbacks"))


@bp.route("/telephony/callbacks/<int:callback_id>/result", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def callback_result(callback_id: int):
    row = db.session.get(CallbackRequest, callback_id)
    if row is None:
        raise NotFound(_("No such callback request."))
    result = request.form.get("result")
    if result not in CALLBACK_RESULTS:
        raise ValidationFailed(_("Choose a result."), fields={"result": result})
    if result == "no_answer":
        row.attempts = max(row.attempts, 1)
    else:
        row.result = result
    row.note = (request.form.get("note") or row.note)[:1000]
    db.session.commit()
    return redirect(url_for("ivr_console.callbacks"))


@bp.route("/telephony/calls/<int:call_id>/call", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def follow_up(call_id: int):
    """A follow-up call to the number of an earlier call, through the agent's softphone."""
    call = db.session.get(Call, call_id)
    if call is None or not calls.caller_e164(call):
        raise NotFound(_("No such call, or it has no number to call back."))
    queue_call(db.session, _agent_target(),
               f"{public_base()}/ivr/outbound/connect?call={call.id}",
               f"follow-up of call #{call.id}", now=utcnow(), subject=("call", call.id))
    db.session.commit()
    flash(_("Calling your softphone; answer it to be connected to the customer."), "success")
    return redirect(request.referrer or url_for("ivr_console.softphone"))


@bp.route("/telephony/outbox")
@login_required
@require_role(*AGENT_ROLES)
def outbox():
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())
                                   .limit(200)))
    unmasked = current_user.role in ("supervisor", "admin")
    return render_template("ivr/outbox.html", rows=rows, unmasked=unmasked, now=utcnow())


@bp.route("/telephony/outbox/<int:message_id>/resend", methods=["POST"])
@login_required
@require_role(*AGENT_ROLES)
def resend(message_id: int):
    """Queue a failed message again; the delivery worker sends it."""
    resend_messages(db.session, [message_id], now=utcnow())
    db.session.commit()
    current_app.logger.info("outbox: message %s re-sent by %s", message_id,
                            current_user.username,
                            extra={"fields": {"message_id": message_id,
                                              "by": current_user.username}})
    flash(_("Message #%(id)s will be sent again.", id=message_id), "success")
    return redirect(url_for("ivr_console.outbox"))
