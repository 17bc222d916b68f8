"""Playing recordings in the console: a page per recording and its audio, both from the
local copy (`ivr.recording_fetch`; a web request never calls Twilio), only for those
allowed to see the call's order (department staff only their department's, never a
confidential complainant's voice, R27). An unknown recording is 404, a forbidden one 403;
until the copy is fetched the page says so."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.errors import Conflict, Forbidden, NotFound
from hotline.extensions import db
from ivr import recordings
from ivr.models import Call, RecordingCopy
from ivr.ports import order_desk
from ivr.recording_fetch import SAFE_NAME, local_path

bp = Blueprint("ivr_recordings", __name__, url_prefix="/recordings",
               template_folder="templates")


def may_play(session: Session, call: Call, user) -> bool:
    """Those who may see an order opened from the call; a call without an order only the
    hotline's own roles (who see every call)."""
    desk = order_desk()
    verdict = desk.may_hear(session, call.call_sid, user) if desk is not None else None
    if verdict is None:
        return user.role in roles.HOTLINE
    return verdict


def _copy(recording_sid: str) -> RecordingCopy:
    copy = None
    if SAFE_NAME.match(recording_sid):
        copy = db.session.scalar(select(RecordingCopy).where(
            RecordingCopy.recording_sid == recording_sid))
    if copy is None or copy.call is None:
        raise NotFound(_("No such recording."))
    if not may_play(db.session, copy.call, current_user):
        raise Forbidden(_("You may not listen to this recording."))
    return copy


def playback(session: Session, call: Call | None, user) -> dict | None:
    """What the console shows of a call's recording: None without one."""
    if call is None or not call.recording_sid:
        return None
    copy = recordings.copy_of_call(session, call)
    if copy is None:
        return None
    return {"call": call, "recording": copy, "allowed": may_play(session, call, user)}


def order_recording(order, user) -> dict | None:
    """The work order page's block (registry `order_sections`)."""
    call = recordings.call_of_order(db.session, order.number, order.call_sid)
    return playback(db.session, call, user)


@bp.route("/<recording_sid>")
@login_required
@require_role(*roles.EVERYONE)
def page(recording_sid: str):
    copy = _copy(recording_sid)
    return render_template("ivr/recording.html", rec=playback(db.session, copy.call,
                                                              current_user))


@bp.route("/<recording_sid>/audio")
@login_required
@require_role(*roles.EVERYONE)
def audio(recording_sid: str):
    copy = _copy(recording_sid)
    path = local_path(current_app, copy)
    if path is None or not path.is_file():
        raise Conflict(_("The recording is still being fetched."))
    response = send_file(path, mimetype=copy.content_type, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response
