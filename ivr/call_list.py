"""The console's call list: the calls behind a service-level or answer-rate figure (R1, R2),
with the filters of `GET /api/v1/calls`. Times in the form and on screen are local."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth.models import User
from hotline.auth.permissions import require_role
from hotline.directory.phones import try_e164
from hotline.auth import roles
from hotline.directory.services import sees_full_phones
from hotline.errors import ValidationFailed
from hotline.extensions import db
from ivr.call_queries import OUTCOMES, CallFilter, list_calls
from ivr.labels import CALL_OUTCOME

bp = Blueprint("ivr_calls", __name__, url_prefix="/calls", template_folder="templates")

PAGE = 50
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
# One wording for call outcomes: ivr.labels (None: the call is still on).
OUTCOME_LABELS = {**CALL_OUTCOME, None: CALL_OUTCOME["in_progress"]}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])


def calls_link(*, since: datetime | None = None, until: datetime | None = None,
               outcome: str | None = None, queued: bool = False) -> str:
    """`/calls/?...` (registered as `sla.ports.SlaPorts.calls_link`): `since` / `until` are
    aware datetimes, shown in the list's form as local times."""
    args: dict[str, str] = {}
    for name, moment in (("since", since), ("until", until)):
        if moment is not None:
            args[name] = moment.astimezone(_zone()).strftime(LOCAL_FORMAT)
    if outcome:
        args["outcome"] = outcome
    if queued:
        args["queued"] = "1"
    return url_for("ivr_calls.index", **args)


def _local(name: str, value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Times look like 2026-11-24T09:30."),
                               fields={name: value}) from None
    return moment.replace(tzinfo=_zone()) if moment.tzinfo is None else moment


def _filters(args) -> CallFilter | None:
    """None when a filter names nothing that exists (the list is then empty)."""
    outcome = args.get("outcome") or None
    if outcome is not None and outcome not in OUTCOMES:
        raise ValidationFailed(_("No such call outcome."), fields={"outcome": outcome})
    since, until = _local("since", args.get("since", "")), _local("until", args.get("until", ""))
    if since and until and since >= until:
        raise ValidationFailed(_("The start must be before the end."), fields={"since": "after"})
    phone = None
    if args.get("phone"):
        phone = try_e164(args["phone"])
        if phone is None:
            raise ValidationFailed(_("Not a phone number."), fields={"phone": args["phone"]})
    agent_id = None
    if args.get("agent"):
        agent_id = db.session.scalar(select(User.id).where(User.username == args["agent"]))
        if agent_id is None:
            return None
    return CallFilter(phone=phone, outcome=outcome, since=since, until=until,
                      agent_id=agent_id, queued=args.get("queued") == "1")


@bp.route("/")
@login_required
@require_role(*roles.HOTLINE)
def index():
    args = request.args
    filters = _filters(args)
    before = args.get("before", type=int)
    rows, cursor = list_calls(db.session, filters, limit=PAGE, before=before) if filters \
        else ([], None)
    return render_template(
        "ivr/calls.html", calls=rows, next_cursor=cursor, args=args, outcomes=OUTCOMES,
        outcome_labels=OUTCOME_LABELS, full_phones=sees_full_phones(current_user),
        threshold=float(current_app.config["HOTLINE_ANSWER_SECONDS"]))
