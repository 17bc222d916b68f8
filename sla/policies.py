"""The seeded SLA policies (pure data): what a fresh install enforces. Admins edit the copy
stored in `sla_policies`; this list seeds it and documents each rule's source."""

from __future__ import annotations

from dataclasses import dataclass

from sla.deadline_math import Limit

# When a clock starts: when the order is opened, dispatched to a department, or resolved; when
# a cluster forms, or an order turns out to repeat an earlier complaint (R13); when it is
# marked a small repair (R16) or a special enquiry (R19); when a connection's stage before
# completes (R24).
STARTS_ON = ("open", "dispatch", "resolve", "cluster", "repeat", "small_repair", "special",
             "survey_done", "design_done")
KINDS = ("accept", "respond", "on_site", "reply", "resolve", "follow_up", "survey", "design",
         "construction", "visit", "escalate_cluster", "escalate_repeat")
# R24: the stage clocks of a connection application, in order. A category with stage
# policies is timed by its stages, not by R20's generic 5-day answer clock.
STAGE_KINDS = ("survey", "design", "construction")
# R14: acceptance limits may be tiered by the order's priority (shorter only).
PRIORITIES = ("urgent", "high", "normal", "low")
# R6: answered on the call, never dispatched, so no clock runs.
NO_CLOCK_CATEGORIES = ("general_enquiry",)


@dataclass(frozen=True)
class PolicySpec:
    category: str  # a category code, or "*" for every dispatched category
    kind: str
    limit: Limit
    starts_on: str
    rule: str
    area_kind: str | None = None
    warn_ratio: float = 0.8
    priority: str | None = None  # R14 tiers: applies to orders of this priority only
    active: bool = True


DEFAULT_POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec("*", "accept", Limit(minutes=20), "dispatch", "R14"),
    PolicySpec("leak", "on_site", Limit(minutes=20), "open", "R16", area_kind="urban"),
    PolicySpec("leak", "on_site", Limit(minutes=30), "open", "R16", area_kind="suburban"),
    PolicySpec("no_water", "on_site", Limit(minutes=20), "open", "R7 R16", area_kind="urban"),
    PolicySpec("no_water", "on_site", Limit(minutes=30), "open", "R7 R16",
               area_kind="suburban"),
    PolicySpec("water_quality", "on_site", Limit(minutes=4 * 60), "open", "R17"),
    PolicySpec("complaint", "respond", Limit(minutes=4 * 60), "open", "R18"),
    PolicySpec("complaint", "resolve", Limit(working_days=5), "open", "R18 R21"),
    PolicySpec("enquiry", "reply", Limit(minutes=24 * 60), "open", "R19"),
    PolicySpec("connection", "survey", Limit(working_days=5), "open", "R24"),
    # R20: the department answers a first-contact registration within 5 working days.
    PolicySpec("*", "resolve", Limit(working_days=5), "open", "R20 R21"),
    PolicySpec("*", "follow_up", Limit(minutes=24 * 60), "resolve", "R23"),
    PolicySpec("*", "escalate_cluster", Limit(working_days=2), "cluster", "R13"),
    # R13: a repeated complaint (重复投诉) reaches the manager by the second working day.
    PolicySpec("*", "escalate_repeat", Limit(working_days=2), "repeat", "R13"),
    # R16: a leak marked small repair is finished by 24:00 of the day it was opened.
    PolicySpec("leak", "resolve", Limit(working_days=0), "small_repair", "R16"),
    # R19: a special enquiry is answered within 3 working days instead of 24 hours.
    PolicySpec("enquiry", "reply", Limit(working_days=3), "special", "R19"),
    # R24: design starts when the survey is done, construction when the design is.
    PolicySpec("connection", "design", Limit(working_days=3), "survey_done", "R24"),
    PolicySpec("connection", "construction", Limit(working_days=5), "design_done", "R24"),
    # R14 tiers, inactive: 20 minutes for every priority until an admin shortens one.
    *(PolicySpec("*", "accept", Limit(minutes=20), "dispatch", "R14", priority=p, active=False)
      for p in PRIORITIES),
)


def select_policies(policies, category: str, area_kind: str | None, starts_on: str,
                    priority: str | None = None):
    """The policies that apply: a priority tier (R14) beats an untiered policy of the same
    kind, a category-specific policy beats the "*" one, and an area-kind-specific one beats
    a general one."""
    policies = list(policies)
    staged = any(p.category == category and p.kind in STAGE_KINDS for p in policies)
    chosen: dict[str, object] = {}
    rank: dict[str, int] = {}
    for policy in policies:
        if policy.starts_on != starts_on:
            continue
        if policy.category not in (category, "*"):
            continue
        if policy.category == "*" and category in NO_CLOCK_CATEGORIES:
            continue
        if policy.category == "*" and policy.kind == "resolve" and staged:
            continue  # R24: the stages time a connection; the survey is R20's answer
        if policy.area_kind not in (None, area_kind):
            continue
        if policy.priority not in (None, priority):
            continue
        score = ((4 if policy.priority else 0)
                 + (2 if policy.category == category else 0) + (1 if policy.area_kind else 0))
        if policy.kind not in rank or score > rank[policy.kind]:
            chosen[policy.kind] = policy
            rank[policy.kind] = score
    return [chosen[k] for k in sorted(chosen, key=KINDS.index)]
