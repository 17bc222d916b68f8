"""Every change to an existing order goes through `perform`: the pure state machine decides
who may do what, the version guards against stale edits (a conditional UPDATE), the SLA
clocks follow the order, and each step is recorded as an event. The handlers live beside
this module, one module per stage of the order's life; the table below names them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.auth.models import User
from hotline.errors import Conflict, Forbidden, ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.labels import ACTION, STATUS, label
from workorders.models import WorkOrder
from workorders.rules.states import Refused, check
from workorders.services import (closing, details, extensions, handling, photos, practice,
                                 repeats, returns, rewards, visits)
from workorders.services.common import (actor_of, facts_of, note_of, order_by_number, record,
                                        refresh_due, visible_order)
from workorders.services.location import location_payload
from workorders.services.present import order_view

# action → handler(session, order, user, params, now, ctx)
HANDLERS = {
    "dispatch": handling.dispatch, "accept": handling.accept, "return": returns.return_order,
    "start": handling.start, "arrive": visits.arrive, "request_info": handling.request_info,
    "material_received": handling.material_received, "chase": handling.chase,
    "note": handling.note, "add_photo": photos.add_photo,
    "request_extension": extensions.request_extension,
    "approve_extension": extensions.approve_extension,
    "reject_extension": extensions.reject_extension,
    "resolve": closing.resolve, "follow_up": closing.follow_up,
    "close_on_call": closing.close_on_call, "cancel": closing.cancel, "merge": closing.merge,
    "update_details": details.update_details,
    "review_repeat": repeats.review_repeat,
    "confirm_theft": rewards.confirm_theft, "decide_reward": rewards.decide_reward,
    "mark_small_repair": practice.mark_small_repair, "mark_special": practice.mark_special,
    "complete_stage": practice.complete_stage, "book_visit": visits.book_visit,
    "rebook_visit": visits.rebook_visit, "cancel_visit": visits.cancel_visit,
    "dispute_return": returns.dispute_return, "review_return": returns.review_return,
}


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# Actions whose event `perform` writes (the others record their own, richer events).
SIMPLE_EVENTS = {
    "accept": lambda p: {"rule": "R14"},
    "return": lambda p: {"rule": "P3"},
    "start": lambda p: {},
    "arrive": lambda p: {"rule": "R16 R17", **location_payload(p)},
    "request_info": lambda p: {"rule": "R22"},
    "material_received": lambda p: {"rule": "R22"},
    "request_extension": lambda p: {"new_due": _iso(p.get("new_due")), "rule": "R15"},
    "approve_extension": lambda p: {"rule": "R15"},
    "reject_extension": lambda p: {"rule": "R15"},
    "resolve": lambda p: {},
    "close_on_call": lambda p: {"rule": "R6", **({"article_id": p["article_id"]}
                                                  if p.get("article_id") else {})},
    "cancel": lambda p: {},
    "chase": lambda p: {"rule": "R20"},
    "note": lambda p: {},
    "review_repeat": lambda p: {"rule": "R13"},
    "mark_small_repair": lambda p: {"rule": "R16"},
    "mark_special": lambda p: {"rule": "R19"},
    "complete_stage": lambda p: {"stage": p.get("stage"), "rule": "R24"},
    "dispute_return": lambda p: {"rule": "P3"},
    "review_return": lambda p: {"decision": p.get("decision"), "rule": "P3"},
}


class StaleVersion(Conflict):
    code = "stale_version"


def perform(session: Session, *, user: User, number: str, action: str,
            version: int | None, params: dict, now: datetime, ctx: SlaContext) -> WorkOrder:
    """Do `action` on the order `number` as `user`. Raises NotFound (not visible),
    Forbidden, Conflict (stale version or wrong state), ValidationFailed (missing field);
    nothing is written then. `ctx` is the utility's zone and working calendar."""
    order = visible_order(session, user, number)
    if version is None:
        raise ValidationFailed(_("The order's version is required (If-Match or version)."),
                               fields={"version": "required"})
    if version != order.version:
        raise StaleVersion(_("The order has changed (now version %(version)s); reload it and "
                             "try again.", version=order.version),
                           details={"current": _current(session, order, user)})
    try:
        spec = check(actor_of(session, user), facts_of(order), action, params)
    except Refused as refused:
        message = _refusal_text(refused, action, order)
        if refused.kind == "forbidden":
            raise Forbidden(message) from None
        if refused.kind == "state":
            raise Conflict(message, fields=refused.fields, code="illegal_transition",
                           details={"current": _current(session, order, user)}) from None
        raise ValidationFailed(message, fields=refused.fields) from None
    handler = HANDLERS[action]
    try:
        # A savepoint: a refusal half-way (or a lost race) undoes this action alone, not the
        # event, not a clock, and leaves the caller's transaction usable. The caller commits.
        with session.begin_nested():
            if action in SIMPLE_EVENTS:
                # Recorded first so the timeline reads action, then its deadline events.
                record(session, order, action, now=now, actor=user, from_status=order.status,
                       to_status=spec.target, note=note_of(params),
                       payload=SIMPLE_EVENTS[action](params))
            handler(session, order, user, params, now, ctx)
            order.updated_at = now
            refresh_due(session, order)
            session.flush()
    except StaleDataError:
        current = order_by_number(session, number)
        raise StaleVersion(_("Someone else changed this order first; reload it and try again."),
                           details={"current": _current(session, current, user)
                                    if current else None}) from None
    return order


def _refusal_text(refused: Refused, action: str, order: WorkOrder) -> str:
    """The state machine's refusal, in the reader's language."""
    name = label(ACTION, action)
    if refused.kind == "unknown":
        return _("Unknown action %(action)s.", action=action)
    if refused.kind == "forbidden":
        if "R28" in refused.message:
            return _("R28: you are named in this complaint and may not handle it.")
        return _("You may not do \u201c%(action)s\u201d on this order.", action=name)
    if refused.message in PRACTICE_REFUSALS:
        return PRACTICE_REFUSALS[refused.message]()
    if refused.kind == "state":
        if "status" in refused.fields:
            return _("\u201c%(action)s\u201d is not possible while the order is "
                     "\u201c%(status)s\u201d.", action=name, status=label(STATUS, order.status))
        if action == "request_extension":
            return _("An extension request is already waiting for approval.")
        if action == "review_repeat":
            return _("R13: this order is not a repeated complaint waiting for review.")
        if action == "confirm_theft":
            return _("R11: only an unconfirmed theft report can be confirmed.")
        if action == "decide_reward":
            return _("R11: a reward is decided once, on a confirmed theft report.")
        return _("There is no extension request waiting.")
    return _("Please fill in: %(fields)s", fields=", ".join(sorted(refused.fields)))


# The state machine's practice refusals (R16, R19, R24, R31, P3), in the reader's language.
PRACTICE_REFUSALS = {
    "R16: only a leak can be a small repair":
        lambda: _("R16: only a leak can be marked a small repair."),
    "R16: already a small repair": lambda: _("R16: the order is already a small repair."),
    "R19: only an enquiry can be special":
        lambda: _("R19: only an enquiry can be marked special."),
    "R19: already special": lambda: _("R19: the enquiry is already marked special."),
    "R24: this order has no stages":
        lambda: _("R24: only a connection application has stages."),
    "R31: a visit is already booked":
        lambda: _("R31: a visit is already booked; move or cancel it instead."),
    "R31: no visit is booked": lambda: _("R31: no visit is booked on this order."),
    "R16: the crew is already on site":
        lambda: _("R16: the crew has already reported on site."),
    "P3: a supervisor is reviewing the return":
        lambda: _("P3: a supervisor is reviewing the return; wait for the decision."),
    "P3: there is no disputed return to review":
        lambda: _("P3: there is no disputed return to review."),
}


def _current(session: Session, order: WorkOrder, user: User) -> dict:
    """The order as this user may see it, for a 409 answer (JSON-ready)."""
    view = order_view(session, order, user)
    return {k: ({kk: _iso(vv) for kk, vv in v.items()} if isinstance(v, dict) else _iso(v))
            for k, v in view.items() if k != "extension_requested"}
