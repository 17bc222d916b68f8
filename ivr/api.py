"""`/api/v1/calls` and `/api/v1/calls/{sid}`: the call records (R1, R2, R30), newest first,
for the roles that may see customer data (R27: department staff get 403)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from hotline.api import ApiBlueprint
from hotline.auth import roles
from hotline.auth.current import current_actor
from hotline.auth.models import User
from hotline.auth.permissions import require_role
from hotline.directory.models import CustomerAccount
from hotline.directory.phones import masked, try_e164
from hotline.directory.services import account_by_number, sees_full_phones
from hotline.errors import NotFound, ValidationFailed
from hotline.extensions import db
from ivr.call_queries import CallFilter, list_calls
from ivr.models import Call
from ivr.schemas import CallPageSchema, CallQuerySchema, CallSchema

bp = ApiBlueprint("calls_api", __name__, url_prefix="/calls",
                  description="Call records: IVR path, queue and answer times, outcome.")


def _filters(args: dict) -> CallFilter | None:
    """None when a filter names nothing that exists (the answer is then empty)."""
    phone = None
    if args["phone"]:
        phone = try_e164(args["phone"])
        if phone is None:
            raise ValidationFailed("not a phone number", fields={"phone": args["phone"]})
    account_id = None
    if args["account"]:
        account = account_by_number(db.session, args["account"])
        if account is None:
            return None
        account_id = account.id
    agent_id = None
    if args["agent"]:
        agent_id = db.session.scalar(select(User.id).where(User.username == args["agent"]))
        if agent_id is None:
            return None
    if args["since"] and args["until"] and args["since"] >= args["until"]:
        raise ValidationFailed("`since` must be before `until`",
                               fields={"since": "before until"})
    return CallFilter(phone=phone, account_id=account_id, outcome=args["outcome"],
                      since=args["since"], until=args["until"], agent_id=agent_id)


def call_dict(call: Call, full_phones: bool, accounts: dict[int, str]) -> dict:
    return {
        "call_sid": call.call_sid, "direction": call.direction,
        "from_number": call.from_number if full_phones else masked(call.from_number),
        "account_number": accounts.get(call.account_id) if call.account_id else None,
        "language": call.language, "ivr_path": call.ivr_path,
        "started_at": call.started_at, "asked_at": call.asked_at,
        "entered_queue_at": call.entered_queue_at,
        "answered_at": call.answered_at, "answer_seconds": call.answer_seconds,
        "twilio_queue_time": call.twilio_queue_time, "ended_at": call.ended_at,
        "outcome": call.outcome, "agent": call.agent.username if call.agent else None,
        "voicemail_order": call.voicemail_order,
        "recording_sid": call.recording_sid or None,
        "recording_duration": call.recording_duration,
    }


@bp.route("")
@require_role(*roles.HOTLINE)
@bp.arguments(CallQuerySchema, location="query")
@bp.response(200, CallPageSchema)
def list_calls_api(args):
    filters = _filters(args)
    if filters is None:
        return {"items": [], "next": None}
    rows, cursor = list_calls(db.session, filters, limit=args["limit"], before=args["before"])
    full = sees_full_phones(current_actor())
    ids = {c.account_id for c in rows if c.account_id}
    accounts = dict(db.session.execute(
        select(CustomerAccount.id, CustomerAccount.account_number)
        .where(CustomerAccount.id.in_(ids))).all()) if ids else {}
    return {"items": [call_dict(c, full, accounts) for c in rows], "next": cursor}


@bp.route("/<sid>")
@require_role(*roles.HOTLINE)
@bp.response(200, CallSchema)
def get_call_api(sid):
    """One call by its Twilio CallSid (404 when there is none)."""
    call = db.session.scalar(select(Call).where(Call.call_sid == sid[:64]))
    if call is None:
        raise NotFound(_("No call %(sid)s.", sid=sid[:64]), fields={"sid": sid[:64]})
    accounts = {}
    if call.account_id:
        account = db.session.get(CustomerAccount, call.account_id)
        accounts = {account.id: account.account_number}
    return call_dict(call, sees_full_phones(current_actor()), accounts)


def household_calls_api(session, account, user) -> list[dict]:
    """R30, for the API's household file: the latest 50 calls of the account or of its
    phones."""
    phones = [p.e164 for p in account.phones]
    stmt = select(Call).where(Call.account_id == account.id)
    if phones:
        stmt = select(Call).where(or_(Call.account_id == account.id,
                                      Call.from_number.in_(phones)))
    rows = list(session.scalars(stmt.order_by(Call.id.desc()).limit(50)))
    accounts = {account.id: account.account_number}
    return [CallSchema().dump(call_dict(c, sees_full_phones(user), accounts)) for c in rows]
