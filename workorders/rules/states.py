"""The work-order state machine (pure): statuses, actions, who may do each and what each
needs. Services ask `check(...)` before touching the database; the console and the API list
`available_actions(...)` so people only see what they may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hotline.auth import roles
from workorders.rules.practice import (RETURN_DECISIONS, SMALL_REPAIR_CATEGORIES,
                                       SPECIAL_CATEGORIES, VISIT_REQUESTERS, stages_of)

STATUSES = ("new", "dispatched", "accepted", "in_progress", "awaiting_customer", "resolved",
            "closed", "returned", "merged", "cancelled", "reopened")
TERMINAL = ("closed", "merged", "cancelled")
OPEN = tuple(s for s in STATUSES if s not in TERMINAL)
# Statuses in which the department holds the order (R14 accepted → working).
WITH_DEPARTMENT = ("accepted", "in_progress", "awaiting_customer")
WAITING_FOR_DEPARTMENT = ("dispatched", "reopened")
# R11: a theft report is confirmed once enforcement has it, and rewarded even after closing.
AFTER_ACCEPT = ("accepted", "in_progress", "resolved", "closed")
THEFT_CATEGORY = "water_theft"
# R31: a home visit is booked, moved or called off while the order is with a department.
VISIT_SOURCES = ("dispatched", "reopened", "accepted", "in_progress")

FOLLOW_UP_OUTCOMES = ("satisfied", "unsatisfied", "unreachable")
SCORE_FIELDS = ("attitude", "quality", "timeliness", "result_score")


@dataclass(frozen=True)
class Actor:
    id: int
    role: str
    # Departments whose orders this user handles: own plus covered colleagues' (R29).
    department_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OrderFacts:
    status: str
    department_id: int | None
    owner_id: int | None
    subject_user_id: int | None = None
    extension_pending: bool = False
    category: str = ""
    # R10: the customer-service centre oversees a complaint handled by the unit it is about.
    overseer_department_id: int | None = None
    repeat_pending: bool = False  # R13: a repeated complaint the manager has not reviewed
    theft_confirmed: bool = False  # R11
    reward_decided: bool = False  # R11
    return_disputed: bool = False  # P3: a supervisor is reviewing the department's return
    small_repair: bool = False  # R16
    special: bool = False  # R19
    visit_booked: bool = False  # R31
    on_site: bool = False  # R16, R17: the crew reported on site since the last acceptance


@dataclass(frozen=True)
class ActionSpec:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: the status does not change (or the service decides)
    who: tuple[str, ...]  # any of: hotline, department, supervisor, owner, overseer
    requires: tuple[str, ...] = ()
    rule: str = ""


ACTIONS: dict[str, ActionSpec] = {a.name: a for a in (
    ActionSpec("dispatch", ("new", "dispatched", "returned", "reopened"), "dispatched",
               ("hotline",), rule="R7-R11"),
    ActionSpec("accept", WAITING_FOR_DEPARTMENT, "accepted", ("department", "supervisor"),
               rule="R14"),
    ActionSpec("return", ("dispatched", "reopened", "accepted"), "returned",
               ("department", "supervisor"), ("reason",)),
    ActionSpec("start", ("accepted",), "in_progress", ("department", "supervisor"),
               rule="R18"),
    ActionSpec("arrive", ("accepted", "in_progress"), "in_progress",
               ("department", "supervisor"), rule="R16 R17"),
    ActionSpec("request_info", ("accepted", "in_progress"), "awaiting_customer",
               ("department", "supervisor"), ("reason",), rule="R22"),
    ActionSpec("material_received", ("awaiting_customer",), "in_progress",
               ("hotline", "department"), ("text",), rule="R22"),
    ActionSpec("request_extension", ("accepted", "in_progress"), None,
               ("department", "supervisor"), ("reason", "new_due"), rule="R15"),
    ActionSpec("approve_extension", ("accepted", "in_progress"), None, ("supervisor",),
               rule="R15"),
    ActionSpec("reject_extension", ("accepted", "in_progress"), None, ("supervisor",),
               ("reason",), rule="R15"),
    ActionSpec("resolve", ("accepted", "in_progress"), "resolved",
               ("department", "supervisor"), ("result",), rule="R10 R23"),
    ActionSpec("follow_up", ("resolved",), None, ("hotline",), ("outcome",),
               rule="R12 R23"),
    ActionSpec("close_on_call", ("new",), "closed", ("owner", "supervisor"), ("result",),
               rule="R5 R6"),
    ActionSpec("cancel", ("new", "dispatched", "returned", "reopened", "accepted",
                          "in_progress", "awaiting_customer"), "cancelled",
               ("owner", "supervisor"), ("reason",)),
    ActionSpec("merge", ("new", "dispatched", "returned"), "merged", ("hotline",),
               ("master_number",)),
    ActionSpec("chase", ("dispatched", "reopened", "accepted", "in_progress",
                         "awaiting_customer", "returned"), None,
               ("owner", "supervisor", "overseer"), rule="R20 R10"),
    ActionSpec("note", OPEN, None, ("hotline", "department", "overseer"), ("text",)),
    ActionSpec("add_photo", WITH_DEPARTMENT, None, ("department", "supervisor"), ("photo",)),
    ActionSpec("update_details", OPEN, None, ("hotline",), rule="R4 R27 R30"),
    ActionSpec("review_repeat", OPEN, None, ("supervisor",), ("text",), rule="R13"),
    ActionSpec("confirm_theft", AFTER_ACCEPT, None, ("department", "supervisor"), ("text",),
               rule="R11"),
    ActionSpec("decide_reward", AFTER_ACCEPT, None, ("supervisor",), ("amount",),
               rule="R11"),
    ActionSpec("mark_small_repair", ("new", "dispatched", "reopened", "accepted",
                                     "in_progress"), None, ("hotline", "department"),
               rule="R16"),
    ActionSpec("mark_special", ("new", "dispatched", "reopened", "accepted", "in_progress"),
               None, ("supervisor",), ("reason",), rule="R19"),
    ActionSpec("complete_stage", ("accepted", "in_progress"), "in_progress",
               ("department", "supervisor"), ("stage",), rule="R24"),
    ActionSpec("book_visit", VISIT_SOURCES, None, ("hotline", "department"),
               ("window_start", "window_end"), rule="R31"),
    ActionSpec("rebook_visit", VISIT_SOURCES, None, ("hotline", "department"),
               ("window_start", "window_end", "requested_by", "reason"), rule="R31"),
    ActionSpec("cancel_visit", VISIT_SOURCES, None, ("hotline", "department"),
               ("requested_by", "reason"), rule="R31"),
    ActionSpec("dispute_return", ("returned",), None, ("hotline",), ("reason",), rule="P3"),
    ActionSpec("review_return", ("returned",), None, ("supervisor",), ("decision", "reason"),
               rule="P3"),
)}


class Refused(Exception):
    """An action this actor may not do on this order now. `kind` says why, so the service
    can answer 403 (who), 409 (state) or 422 (missing field)."""

    def __init__(self, kind: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.kind = kind  # "unknown" | "forbidden" | "state" | "missing" | "invalid"
        self.message = message
        self.fields = fields or {}


def _plays(actor: Actor, order: OrderFacts, part: str) -> bool:
    if part == "hotline":
        return actor.role in roles.HOTLINE
    if part == "supervisor":
        return actor.role in roles.SUPERVISION
    if part == "owner":
        return actor.role in roles.HOTLINE and order.owner_id == actor.id
    if part == "department":
        return (actor.role == "staff" and order.department_id is not None
                and order.department_id in actor.department_ids)
    if part == "overseer":
        return (actor.role == "staff" and order.overseer_department_id is not None
                and order.overseer_department_id in actor.department_ids)
    return False


def may(actor: Actor, order: OrderFacts, action: str) -> bool:
    """Who may, ignoring the status: role, own department (with R29 cover), ownership,
    and R28 recusal."""
    spec = ACTIONS.get(action)
    if spec is None:
        return False
    if order.subject_user_id is not None and order.subject_user_id == actor.id:
        return False  # R28: nobody handles a complaint about themselves
    return any(_plays(actor, order, part) for part in spec.who)


def check(actor: Actor, order: OrderFacts, action: str, params: dict) -> ActionSpec:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Refused("unknown", f"unknown action: {action}", {"action": "unknown"})
    if order.subject_user_id is not None and order.subject_user_id == actor.id:
        raise Refused("forbidden", "R28: you are named in this complaint and may not handle it")
    if not may(actor, order, action):
        raise Refused("forbidden", f"you may not {action} this order")
    if order.status not in spec.sources:
        raise Refused("state", f"cannot {action} an order that is {order.status}",
                      {"status": order.status})
    if not _condition_holds(order, action):
        raise Refused("state", CONDITIONS[action][1], {CONDITIONS[action][2]: "not applicable"})
    missing = {name: "required" for name in spec.requires if _blank(params.get(name))}
    if missing:
        raise Refused("missing", f"{action} needs: {', '.join(sorted(missing))}", missing)
    if action == "approve_extension" and not order.extension_pending:
        raise Refused("state", "there is no extension request to approve")
    if action == "reject_extension" and not order.extension_pending:
        raise Refused("state", "there is no extension request to reject")
    if action == "request_extension" and order.extension_pending:
        raise Refused("state", "an extension request is already waiting for approval")
    _check_practice(order, action)
    if action in ("dispatch", "dispute_return") and order.return_disputed:
        raise Refused("state", "P3: a supervisor is reviewing the return")
    if action == "review_return" and not order.return_disputed:
        raise Refused("state", "P3: there is no disputed return to review")
    if action == "review_return" and params.get("decision") not in RETURN_DECISIONS:
        raise Refused("missing", "decision must be upheld or overruled",
                      {"decision": "one of " + ", ".join(RETURN_DECISIONS)})
    if action in ("rebook_visit", "cancel_visit") and \
            params.get("requested_by") not in VISIT_REQUESTERS:
        raise Refused("missing", "requested_by must be crew or customer",
                      {"requested_by": "one of " + ", ".join(VISIT_REQUESTERS)})
    if action == "follow_up":
        _check_follow_up(params)
    return spec


def _practice_refusal(order: OrderFacts, action: str) -> Refused | None:
    """R16, R19, R24, R31: actions that fit only some orders, or only once."""
    if action == "mark_small_repair":
        if order.category not in SMALL_REPAIR_CATEGORIES:
            return Refused("invalid", "R16: only a leak can be a small repair",
                           {"category": order.category})
        if order.small_repair:
            return Refused("state", "R16: already a small repair", {"small_repair": True})
    if action == "mark_special":
        if order.category not in SPECIAL_CATEGORIES:
            return Refused("invalid", "R19: only an enquiry can be special",
                           {"category": order.category})
        if order.special:
            return Refused("state", "R19: already special", {"special": True})
    if action == "complete_stage" and not stages_of(order.category):
        return Refused("invalid", "R24: this order has no stages", {"category": order.category})
    if action == "book_visit" and order.visit_booked:
        return Refused("state", "R31: a visit is already booked", {"visit": "booked"})
    if action in ("rebook_visit", "cancel_visit") and not order.visit_booked:
        return Refused("state", "R31: no visit is booked", {"visit": "none"})
    if action == "arrive" and order.on_site:
        return Refused("state", "R16: the crew is already on site", {"on_site": True})
    return None


def _check_practice(order: OrderFacts, action: str) -> None:
    refusal = _practice_refusal(order, action)
    if refusal is not None:
        raise refusal


def _check_follow_up(params: dict) -> None:
    outcome = params.get("outcome")
    if outcome not in FOLLOW_UP_OUTCOMES:
        raise Refused("missing", "outcome must be satisfied, unsatisfied or unreachable",
                      {"outcome": "one of " + ", ".join(FOLLOW_UP_OUTCOMES)})
    if outcome == "unreachable":
        return
    bad = {}
    for name in SCORE_FIELDS:
        value = params.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            bad[name] = "a score from 1 to 5"
    if outcome == "unsatisfied" and _blank(params.get("text")):
        bad["text"] = "required: the customer's words go back to the department (R12)"
    if bad:
        raise Refused("missing", "the follow-up needs " + ", ".join(sorted(bad)), bad)


def available_actions(actor: Actor, order: OrderFacts) -> list[str]:
    """The actions this actor could do on the order now (fields still to be filled in)."""
    names = []
    for name, spec in ACTIONS.items():
        if order.status not in spec.sources or not may(actor, order, name):
            continue
        if name in ("approve_extension", "reject_extension") and not order.extension_pending:
            continue
        if name == "request_extension" and order.extension_pending:
            continue
        if not _condition_holds(order, name):
            continue
        if name in ("dispatch", "dispute_return") and order.return_disputed:
            continue
        if name == "review_return" and not order.return_disputed:
            continue
        if _practice_refusal(order, name) is not None:
            continue
        names.append(name)
    return names


# Actions that apply to some orders only: (holds, refusal, field named in the refusal).
CONDITIONS = {
    "review_repeat": (lambda o: o.repeat_pending,
                      "R13: the order is not a repeated complaint waiting for review",
                      "repeat_of"),
    "confirm_theft": (lambda o: o.category == THEFT_CATEGORY and not o.theft_confirmed,
                      "R11: only an unconfirmed theft report can be confirmed", "category"),
    "decide_reward": (lambda o: o.theft_confirmed and not o.reward_decided,
                      "R11: a reward is decided once, on a confirmed theft report", "reward"),
}


def _condition_holds(order: OrderFacts, action: str) -> bool:
    condition = CONDITIONS.get(action)
    return condition is None or condition[0](order)


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, datetime):
        return False
    return False


@dataclass(frozen=True)
class FollowUpDecision:
    status: str
    reopen: bool = False
    close: bool = False
    attempts_delta: int = 0
    notes: list[str] = field(default_factory=list)


def follow_up_decision(outcome: str) -> FollowUpDecision:
    """R12/R23: satisfied closes; unsatisfied reopens back to the same department;
    unreachable keeps the order on the follow-up list with one more attempt."""
    if outcome == "satisfied":
        return FollowUpDecision("closed", close=True)
    if outcome == "unsatisfied":
        return FollowUpDecision("reopened", reopen=True)
    return FollowUpDecision("resolved", attempts_delta=1)
