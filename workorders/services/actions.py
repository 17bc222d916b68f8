"""Every change to an existing order goes through `perform`: the pure state machine decides
who may do what, the version guards against stale edits (a conditional UPDATE), the SLA
clocks follow the order, and each step is recorded as an event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.auth.models import User
from hotline.directory.models import Area, Department
from hotline.directory.phones import try_e164
from hotline.errors import Conflict, DomainError, Forbidden, ValidationFailed
from hotline.notifications.services import notify
from hotline.telephony.outbox import queue_sms
from hotline.web.formatting import local_iso
from sla import clocks
from workorders.i18n import gettext as _
from workorders.labels import ACTION, STATUS, label
from workorders.models import FollowUp, WorkOrder
from workorders.rules import sms
from workorders.rules.states import SCORE_FIELDS, Refused, check, follow_up_decision
from workorders.services.common import (actor_of, clock_op, facts_of, order_by_number, record,
                                        refresh_due, start_clocks, visible_order)

DETAIL_FIELDS = ("contact_name", "contact_phone", "street", "house_number", "landmark",
                 "area_id", "description")


class StaleVersion(Conflict):
    code = "stale_version"


def perform(session: Session, *, user: User, number: str, action: str,
            version: int | None, params: dict, now: datetime) -> WorkOrder:
    """Do `action` on the order `number` as `user`. Raises NotFound (not visible),
    Forbidden, Conflict (stale version or wrong state), ValidationFailed (missing field);
    nothing is written then."""
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
    if action in SIMPLE_EVENTS:
        # Recorded first so the timeline reads action, then its deadline events.
        record(session, order, action, now=now, actor=user, from_status=order.status,
               to_status=spec.target, note=_note_of(params),
               payload=SIMPLE_EVENTS[action](params))
    try:
        handler(session, order, user, params, now)
        order.updated_at = now
        refresh_due(session, order)
        session.flush()
    except DomainError:
        session.rollback()  # nothing half-written: not the event, not a clock
        raise
    except StaleDataError:
        session.rollback()
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
    if refused.kind == "state":
        if "status" in refused.fields:
            return _("\u201c%(action)s\u201d is not possible while the order is "
                     "\u201c%(status)s\u201d.", action=name, status=label(STATUS, order.status))
        if action == "request_extension":
            return _("An extension request is already waiting for approval.")
        return _("There is no extension request waiting.")
    return _("Please fill in: %(fields)s", fields=", ".join(sorted(refused.fields)))


def _current(session: Session, order: WorkOrder, user: User) -> dict:
    """The order as this user may see it, for a 409 answer (JSON-ready)."""
    from workorders.services.present import order_view

    view = order_view(session, order, user)
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in view.items()
            if k != "extension_requested"}


def _note_of(params: dict) -> str:
    for key in ("text", "reason", "result"):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


# --- dispatch and the department's work -------------------------------------------------

def dispatch_to(session: Session, order: WorkOrder, department: Department, *,
                actor: User | None, now: datetime, from_status: str,
                assignee: User | None = None) -> None:
    """Hand the order to `department` and start its accept clock (R14)."""
    order.department_id = department.id
    order.department = department
    order.status = "dispatched"
    order.dispatched_at = now
    order.accepted_at = None
    order.assignee_id = assignee.id if assignee else None
    session.flush()
    record(session, order, "dispatch", now=now, actor=actor, from_status=from_status,
           to_status="dispatched",
           payload={"department_id": department.id, "department": department.code,
                    "routed_by": order.routed_by,
                    "assignee_id": assignee.id if assignee else None})
    start_clocks(session, order, "dispatch", now, actor)
    notify(session, dedupe_key=f"wo-dispatch-{order.number}-{order.version}-{now.isoformat()}",
           kind="work_order", title=_("%(number)s: new order for your department",
                                      number=order.number),
           link=f"/workorders/{order.number}", now=now, department_id=department.id)


def _dispatch(session, order, user, params, now):
    department = None
    if params.get("department_id") is not None:
        department = session.get(Department, params["department_id"])
        if department is None:
            raise ValidationFailed(_("No such department."), fields={"department_id": "unknown"})
        order.routed_by = "agent's choice"
        order.routing_rule_id = None
    else:
        from workorders.services.routing import describe_route, route_for

        if order.area_id is None:
            raise ValidationFailed(_("R4: the area is needed to route the order."),
                                   fields={"area_id": "required"})
        found = route_for(session, order.category, order.area_id)
        if found is None:
            raise ValidationFailed(_("No department found for this category and area; choose one."),
                                   fields={"department_id": "required"})
        department = session.get(Department, found.department_id)
        order.routing_rule_id = found.rule_id
        order.routed_by = describe_route(session, found)
    assignee = None
    if params.get("assignee_id") is not None:
        assignee = session.get(User, params["assignee_id"])
        if assignee is None or assignee.department_id != department.id:
            raise ValidationFailed(_("The assignee must belong to the department."),
                                   fields={"assignee_id": "not in the department"})
        if assignee.id == order.subject_user_id:
            raise Forbidden(_("R28: a user named in the complaint cannot be assigned to it."))
    if order.status in ("dispatched", "reopened"):
        clock_op(session, order, "cancelled", now, user, kinds=["accept"])
    dispatch_to(session, order, department, actor=user, now=now, from_status=order.status,
                assignee=assignee)


def _accept(session, order, user, params, now):
    # The version in the WHERE clause makes this a race-free claim: of two staff accepting
    # at once, the second UPDATE matches no row (StaleDataError → 409).
    order.status = "accepted"
    order.accepted_at = now
    order.assignee_id = user.id
    session.flush()
    clock_op(session, order, "met", now, user, kinds=["accept"])


def _return(session, order, user, params, now):
    order.status = "returned"
    order.return_reason = params["reason"].strip()
    order.assignee_id = None
    clock_op(session, order, "cancelled", now, user, kinds=["accept"])
    notify(session, dedupe_key=f"wo-returned-{order.number}-{now.isoformat()}",
           kind="work_order", title=_("%(number)s: returned by the department",
                                      number=order.number),
           body=order.return_reason, link=f"/workorders/{order.number}", now=now,
           role="supervisor", severity="warning")
    if order.owner_id:
        notify(session, dedupe_key=f"wo-returned-owner-{order.number}-{now.isoformat()}",
               kind="work_order", title=_("%(number)s: returned by the department",
                                          number=order.number),
               body=order.return_reason, link=f"/workorders/{order.number}", now=now,
               user_id=order.owner_id)


def _start(session, order, user, params, now):
    order.status = "in_progress"
    clock_op(session, order, "met", now, user, kinds=["respond"])


def _arrive(session, order, user, params, now):
    order.status = "in_progress"
    clock_op(session, order, "met", now, user, kinds=["on_site", "respond"])


def _request_info(session, order, user, params, now):
    order.status = "awaiting_customer"
    clock_op(session, order, "paused", now, user)


def _material_received(session, order, user, params, now):
    order.status = "in_progress"
    clock_op(session, order, "resumed", now, user)


def _request_extension(session, order, user, params, now):
    new_due = _aware(params["new_due"])
    if new_due <= now:
        raise ValidationFailed(_("The new time must be in the future."),
                               fields={"new_due": "in the past"})
    kind = (params.get("kind") or "").strip() or None
    running = clocks.active_clocks(session, order.subject)
    candidates = [r for r in running if r.state == "running" and r.kind != "follow_up"
                  and (kind is None or r.kind == kind)]
    if not candidates:
        raise ValidationFailed(_("There is no running deadline to extend."),
                               fields={"kind": "no clock"})
    # R15: asked for before the deadline.
    clock = max(candidates, key=lambda r: r.due_at) if kind is None else candidates[0]
    if now > clock.due_at:
        raise ValidationFailed(_("R15: an extension must be asked for before the deadline."),
                               fields={"new_due": "deadline already passed"})
    if new_due <= clock.due_at:
        raise ValidationFailed(_("The new time must be later than the current deadline."),
                               fields={"new_due": "must be after " + local_iso(clock.due_at)})
    order.extension_kind = clock.kind
    order.extension_due = new_due
    order.extension_reason = params["reason"].strip()
    notify(session, dedupe_key=f"wo-extension-{order.number}-{now.isoformat()}",
           kind="work_order", title=_("%(number)s: extension requested", number=order.number),
           body=order.extension_reason, link=f"/workorders/{order.number}", now=now,
           role="supervisor")


def _approve_extension(session, order, user, params, now):
    row = clocks.extend(session, order.subject, order.extension_kind, order.extension_due,
                        now=now, reason=order.extension_reason)
    record(session, order, "deadline", now=now, actor=user,
           payload={"op": "extended", "clocks": [{"kind": row.kind, "due": row.due_at.isoformat(),
                                                  "rule": "R15"}]})
    zone = ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])
    if try_e164(order.contact_phone):  # R15: the customer is told the new time
        message = queue_sms(session, order.contact_phone,
                            sms.new_time(order.number,
                                         row.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
                            now=now, dedupe_key=f"wo-newtime-{order.number}-{now.isoformat()}",
                            subject=order.subject)
        record(session, order, "sms_queued", now=now, actor=user,
               payload={"purpose": "new_time", "outbox_id": message.id})
    order.extension_kind = None
    order.extension_due = None
    order.extension_reason = ""


def _reject_extension(session, order, user, params, now):
    order.extension_kind = None
    order.extension_due = None
    order.extension_reason = ""


def _resolve(session, order, user, params, now):
    order.status = "resolved"
    order.result = params["result"].strip()
    order.resolved_at = now
    order.extension_kind = order.extension_due = None
    order.extension_reason = ""
    open_kinds = [r.kind for r in clocks.active_clocks(session, order.subject)]
    if open_kinds:
        clock_op(session, order, "met", now, user, kinds=open_kinds)
    start_clocks(session, order, "resolve", now, user)  # R23: follow-up within 24 h
    # R10/R23: the result goes back to the customer, and to everyone whose report was
    # merged into this order.
    callers = [order] + list(session.scalars(select(WorkOrder).where(
        WorkOrder.master_id == order.id)))
    for each in callers:
        if try_e164(each.contact_phone):
            message = queue_sms(session, each.contact_phone,
                                sms.resolved(each.number, order.result), now=now,
                                dedupe_key=f"wo-resolved-{each.number}-{order.reopen_count}",
                                subject=each.subject)
            record(session, order, "sms_queued", now=now, actor=user,
                   payload={"purpose": "result", "outbox_id": message.id,
                            "for": each.number})
    if order.owner_id:
        notify(session, dedupe_key=f"wo-followup-{order.number}-{order.reopen_count}",
               kind="follow_up", title=_("%(number)s: resolved, follow-up call due",
                                         number=order.number),
               link=f"/workorders/{order.number}", now=now, user_id=order.owner_id)


def _follow_up(session, order, user, params, now):
    outcome = params["outcome"]
    decision = follow_up_decision(outcome)
    scores = {name: params.get(name) for name in SCORE_FIELDS}
    if outcome == "unreachable":
        scores = dict.fromkeys(SCORE_FIELDS)
    text = (params.get("text") or "").strip()
    session.add(FollowUp(order_id=order.id, at=now, actor_id=user.id, outcome=outcome,
                         attitude=scores["attitude"], quality=scores["quality"],
                         timeliness=scores["timeliness"], result_score=scores["result_score"],
                         comment=text))
    before = order.status
    order.follow_up_attempts += 1
    if outcome != "unreachable":
        order.satisfaction = outcome
        clock_op(session, order, "met", now, user, kinds=["follow_up"])
    order.status = decision.status
    if decision.close:
        order.closed_at = now
        clock_op(session, order, "cancelled", now, user)
    if decision.reopen:
        # R12: back to the same department with the customer's words, through the same flow.
        order.reopen_count += 1
        order.resolved_at = None
        order.assignee_id = None
        order.dispatched_at = now
        notify(session, dedupe_key=f"wo-reopened-{order.number}-{order.reopen_count}",
               kind="work_order", title=_("%(number)s: reopened, customer not satisfied",
                                          number=order.number),
               body=text, link=f"/workorders/{order.number}", now=now,
               department_id=order.department_id, severity="warning")
    session.flush()
    record(session, order, "follow_up", now=now, actor=user, from_status=before,
           to_status=order.status if order.status != before else None, note=text,
           payload={"outcome": outcome, **{k: v for k, v in scores.items() if v is not None},
                    "attempt": order.follow_up_attempts})
    if decision.reopen:
        start_clocks(session, order, "open", now, user)
        start_clocks(session, order, "dispatch", now, user)


def _close_on_call(session, order, user, params, now):
    order.status = "closed"
    order.result = params["result"].strip()
    order.closed_at = now
    clock_op(session, order, "cancelled", now, user)


def _cancel(session, order, user, params, now):
    order.status = "cancelled"
    order.closed_at = now
    clock_op(session, order, "cancelled", now, user)


def merge_into(session: Session, order: WorkOrder, master_number: str, *, actor: User | None,
               now: datetime) -> WorkOrder:
    master = order_by_number(session, master_number)
    if master is None:
        raise ValidationFailed(_("No work order %(number)s.", number=master_number),
                               fields={"master_number": "unknown"})
    if master.id == order.id:
        raise ValidationFailed(_("An order cannot be merged into itself."),
                               fields={"master_number": "same order"})
    if master.status in ("closed", "cancelled", "merged"):
        raise ValidationFailed(_("%(number)s is no longer open; merge into an open order.",
                                 number=master.number),
                               fields={"master_number": "not open"})
    before = order.status
    order.status = "merged"
    order.master_id = master.id
    order.closed_at = now
    session.flush()
    clock_op(session, order, "cancelled", now, actor)
    record(session, order, "merge", now=now, actor=actor, from_status=before,
           to_status="merged", payload={"master": master.number})
    record(session, master, "merged_in", now=now, actor=actor,
           payload={"order": order.number})
    return master


def _merge(session, order, user, params, now):
    merge_into(session, order, params["master_number"], actor=user, now=now)


def _chase(session, order, user, params, now):
    # R20: the owner chases the department (催办); a supervisor's chase is 督办.
    if order.department_id is None:
        raise ValidationFailed(_("The order has no department to chase yet."),
                               fields={"department_id": "none"})
    notify(session, dedupe_key=f"wo-chase-{order.number}-{now.isoformat()}", kind="chase",
           title=_("%(number)s: chased by the hotline", number=order.number), body=_note_of(params),
           link=f"/workorders/{order.number}", now=now, department_id=order.department_id,
           severity="warning")


def _note(session, order, user, params, now):
    if user.role == "staff":  # the department's first reply to the customer (R18, R19)
        clock_op(session, order, "met", now, user, kinds=["respond", "reply"])


def _update_details(session, order, user, params, now):
    changes = {}
    for name in DETAIL_FIELDS:
        if name not in params or params[name] is None:
            continue
        value = params[name]
        if name == "area_id":
            if session.get(Area, value) is None:
                raise ValidationFailed(_("No such area."), fields={"area_id": "unknown"})
        elif name == "contact_phone":
            value = try_e164(value)
            if value is None:
                raise ValidationFailed(_("The caller's phone number is not valid."),
                                       fields={"contact_phone": "not a valid phone number"})
        else:
            value = str(value).strip()
        if getattr(order, name) != value:
            changes[name] = value
    if not changes:
        raise ValidationFailed(_("Nothing to change."), fields={"fields": "no change"})
    for name, value in changes.items():
        setattr(order, name, value)
    if "area_id" in changes:
        order.area = session.get(Area, changes["area_id"])
    from workorders.services.create import R4_FIELDS

    still = [n for n in R4_FIELDS if not getattr(order, n)]
    if not order.landmark and order.account_id is None:
        still.append("landmark")
    order.missing_details = ",".join(still)
    session.flush()
    # R27: the event names the fields that changed, never the complainant's data.
    record(session, order, "update_details", now=now, actor=user,
           payload={"fields": sorted(changes), "missing_details": still})
    if order.status == "new" and order.area_id is not None and not still:
        from workorders.services.routing import describe_route, route_for

        found = route_for(session, order.category, order.area_id)
        if found is not None:
            order.routing_rule_id = found.rule_id
            order.routed_by = describe_route(session, found)
            dispatch_to(session, order, session.get(Department, found.department_id),
                        actor=user, now=now, from_status="new")


def _aware(value) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(_("The new time must be a date and time."),
                                   fields={"new_due": "not a date-time"}) from None
    if value.tzinfo is None:
        zone = ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])
        value = value.replace(tzinfo=zone)  # people type local times
    return value


HANDLERS = {
    "dispatch": _dispatch, "accept": _accept, "return": _return, "start": _start,
    "arrive": _arrive, "request_info": _request_info, "material_received": _material_received,
    "request_extension": _request_extension, "approve_extension": _approve_extension,
    "reject_extension": _reject_extension, "resolve": _resolve, "follow_up": _follow_up,
    "close_on_call": _close_on_call, "cancel": _cancel, "merge": _merge, "chase": _chase,
    "note": _note, "update_details": _update_details,
}

# Actions whose event `perform` writes (the others record their own, richer events).
SIMPLE_EVENTS = {
    "accept": lambda p: {"rule": "R14"},
    "return": lambda p: {},
    "start": lambda p: {},
    "arrive": lambda p: {"rule": "R16 R17"},
    "request_info": lambda p: {"rule": "R22"},
    "material_received": lambda p: {"rule": "R22"},
    "request_extension": lambda p: {"new_due": _iso(p.get("new_due")), "rule": "R15"},
    "approve_extension": lambda p: {"rule": "R15"},
    "reject_extension": lambda p: {"rule": "R15"},
    "resolve": lambda p: {},
    "close_on_call": lambda p: {"rule": "R6"},
    "cancel": lambda p: {},
    "chase": lambda p: {"rule": "R20"},
    "note": lambda p: {},
}


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return value
