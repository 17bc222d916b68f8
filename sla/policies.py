"""The seeded SLA policies (pure data): what a fresh install enforces. Admins edit the copy
stored in `sla_policies`; this list seeds it and documents each rule's source."""

from __future__ import annotations

from dataclasses import dataclass

from sla.deadline_math import Limit

# When a clock starts: when the order is opened, dispatched to a department, or resolved; when
# a cluster forms, or an order turns out to repeat an earlier complaint (R13).
STARTS_ON = ("open", "dispatch", "resolve", "cluster", "repeat")
KINDS = ("accept", "respond", "on_site", "reply", "resolve", "follow_up", "survey", "design",
         "construction", "escalate_cluster", "escalate_repeat")
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
)


def select_policies(policies, category: str, area_kind: str | None, starts_on: str):
    """The policies that apply: a category-specific policy beats the "*" one of the same
    kind, and an area-kind-specific one beats a general one."""
    chosen: dict[str, object] = {}
    rank: dict[str, int] = {}
    for policy in policies:
        if policy.starts_on != starts_on:
            continue
        if policy.category not in (category, "*"):
            continue
        if policy.category == "*" and category in NO_CLOCK_CATEGORIES:
            continue
        if policy.area_kind not in (None, area_kind):
            continue
        score = (2 if policy.category == category else 0) + (1 if policy.area_kind else 0)
        if policy.kind not in rank or score > rank[policy.kind]:
            chosen[policy.kind] = policy
            rank[policy.kind] = score
    return [chosen[k] for k in sorted(chosen, key=KINDS.index)]
