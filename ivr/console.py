"""The agent console: softphone page with availability and screen-pop, voice access tokens,
callback requests, the outbox, click-to-call."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import (Blueprint, abort, current_app, jsonify, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.services import accounts_by_phone
from hotline.errors import Conflict, NotFound, ValidationFailed
from hotline.extensions import db
from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import resend as resend_messages
from hotline.telephony.signature import public_base
from hotline.web.transactions import act, committed
from ivr import callbacks as callback_service
from ivr import agent_states, calls, menus
from ivr.agent_figures import agent_figures
from ivr.models import AgentPresence, CallbackRequest
from ivr.simulator import answer_next as drive_answer
from ivr.simulator import hang_up_agent_call
from sla.kpis import day_bounds

bp = Blueprint("ivr_console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/ivr")


def _outbox_mode() -> bool:
    return current_app.config["HOTLINE_TELEPHONY"] == "outbox"


@bp.route("/softphone")
@login_required
@require_role(*roles.HOTLINE)
def softphone():
    presence = db.session.get(AgentPresence, current_user.id)
    counts = {q: len(calls.waiting_calls(db.session, q))
              for q in (menus.PRIORITY_QUEUE, menus.NORMAL_QUEUE)}
    state = agent_states.effective_state(presence, utcnow(),
                                         agent_states.wrap_up_of(current_app.config))
    return render_template("ivr/softphone.html", presence=presence, counts=counts,
                           state=state, state_labels=agent_states.STATE_LABELS,
                           reasons=agent_states.REASON_LABELS,
                           outbox_mode=_outbox_mode(),
                           priority_queue=menus.PRIORITY_QUEUE, normal_queue=menus.NORMAL_QUEUE)


@bp.route("/softphone/availability", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def availability():
    """Available, a break with its reason, or offline (ivr.agent_states)."""
    state, reason = request.form.get("state", ""), request.form.get("reason", "")
    return act(lambda: agent_states.choose_state(
        db.session, current_user, state, reason, now=utcnow(),
        wrap_up=agent_states.wrap_up_of(current_app.config)),
        next_url=lambda _presence: url_for("ivr_console.softphone"))


@bp.route("/softphone/token")
@login_required
@require_role(*roles.HOTLINE)
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
@require_role(*roles.HOTLINE)
def current():
    """The screen-pop: the caller bridged to this agent and their household file (R30)."""
    calls.touch_presence(db.session, current_user, now=utcnow(),
                         wrap_up=agent_states.wrap_up_of(current_app.config))
    call = calls.current_call_of(db.session, current_user)
    counts = {q: len(calls.waiting_calls(db.session, q))
              for q in (menus.PRIORITY_QUEUE, menus.NORMAL_QUEUE)}
    if call is None:
        return committed(render_template("ivr/_screenpop.html", call=None, counts=counts))
    e164 = calls.caller_e164(call)
    accounts = accounts_by_phone(db.session, call.from_number) if e164 else []
    recent = calls.recent_calls_from(db.session, call.from_number)
    # R5: an enquiry is finished on the call within 5 minutes; past that the desk warns.
    limit = int(current_app.config["HOTLINE_ENQUIRY_CALL_MINUTES"])
    enquiry = {"limit_minutes": limit, "call": menus.is_enquiry_call(call.queue_name),
               "over": menus.enquiry_call_overrun(call.queue_name, call.answered_at,
                                                  utcnow(), limit)}
    return committed(render_template("ivr/_screenpop.html", call=call, accounts=accounts,
                                     recent=recent, e164=e164, counts=counts,
                                     enquiry=enquiry))


@bp.route("/softphone/answer-next", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def answer_next():
    """Outbox mode: what the softphone's call to the TwiML App would do."""
    if not _outbox_mode():
        abort(404)
    return jsonify(drive_answer(current_user.username))


@bp.route("/softphone/hangup", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def hangup():
    if not _outbox_mode():
        abort(404)
    call = calls.current_call_of(db.session, current_user)
    if call is None:
        raise NotFound(_("You are not on a call."))
    hang_up_agent_call(call)
    return jsonify({"ended": call.call_sid})


@bp.route("/telephony/callbacks")
@login_required
@require_role(*roles.HOTLINE)
def callbacks():
    show = request.args.get("show", "pending")
    stmt = select(CallbackRequest).order_by(CallbackRequest.due_at).limit(200)
    if show == "pending":
        stmt = stmt.where(CallbackRequest.result == "pending")
    rows = list(db.session.scalars(stmt))
    return render_template("ivr/callbacks.html", rows=rows, show=show,
                           results=callback_service.RESULTS, now=utcnow())


@bp.route("/telephony/callbacks/<int:callback_id>/call", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def call_back(callback_id: int):
    """Click-to-call: ring the agent, whose answered leg then dials the customer."""
    return act(lambda: callback_service.ring_for_callback(
        db.session, callback_id, current_user, now=utcnow(), public_base=public_base()),
        saved_message=_("Calling your softphone; answer it to be connected to the customer."),
        next_url=lambda _row: url_for("ivr_console.callbacks"))


@bp.route("/telephony/callbacks/<int:callback_id>/result", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def callback_result(callback_id: int):
    return act(lambda: callback_service.record_result(
        db.session, callback_id, request.form.get("result"), request.form.get("note")),
        next_url=lambda _row: url_for("ivr_console.callbacks"))


@bp.route("/telephony/calls/<int:call_id>/call", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def follow_up(call_id: int):
    """A follow-up call to the number of an earlier call, through the agent's softphone."""
    return act(lambda: callback_service.ring_for_follow_up(
        db.session, call_id, current_user, now=utcnow(), public_base=public_base()),
        saved_message=_("Calling your softphone; answer it to be connected to the customer."),
        next_url=lambda _call: request.referrer or url_for("ivr_console.softphone"))


@bp.route("/telephony/outbox")
@login_required
@require_role(*roles.HOTLINE)
def outbox():
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())
                                   .limit(200)))
    unmasked = current_user.role in roles.SUPERVISION
    return render_template("ivr/outbox.html", rows=rows, unmasked=unmasked, now=utcnow())


def _resend(message_id: int) -> int:
    resend_messages(db.session, [message_id], now=utcnow())
    current_app.logger.info("outbox: message %s re-sent by %s", message_id,
                            current_user.username,
                            extra={"fields": {"message_id": message_id,
                                              "by": current_user.username}})
    return message_id


@bp.route("/telephony/outbox/<int:message_id>/resend", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def resend(message_id: int):
    """Queue a failed message again; the delivery worker sends it."""
    return act(lambda: _resend(message_id), next_url=lambda _id: url_for("ivr_console.outbox"),
               saved_message=_("Message #%(id)s will be sent again.", id=message_id))


@bp.route("/telephony/agents")
@login_required
@require_role(*roles.SUPERVISION)
def agent_day():
    """Per-agent figures of one local day (?day=YYYY-MM-DD, today by default) or of the
    month that day is in (&period=month)."""
    zone = ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])
    now = utcnow()
    raw = request.args.get("day", "")
    try:
        day = date.fromisoformat(raw) if raw else now.astimezone(zone).date()
    except ValueError:
        raise ValidationFailed(_("The day must be a date (YYYY-MM-DD)."),
                               fields={"day": raw}) from None
    month = request.args.get("period") == "month"
    start, end = day_bounds(day, zone)
    if month:
        first = day.replace(day=1)
        start = day_bounds(first, zone)[0]
        end = day_bounds((first + timedelta(days=32)).replace(day=1), zone)[0]
    rows = agent_figures(db.session, start, end, now=now,
                         wrap_up=agent_states.wrap_up_of(current_app.config))
    return render_template("ivr/agent_figures.html", rows=rows, day=day, month=month)
