"""Routing (pure, R7–R11): category + area → department. Rules name a department KIND (and
optionally one specific department); the directory decides which department of that kind
serves the caller's area, falling back to a city-wide one. A complaint about a unit or one
of its staff goes to that unit, with the customer-service centre overseeing (R10)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: int
    category: str
    department_kind: str
    area_id: int | None = None  # None: any area
    department_id: int | None = None  # a fixed department, else by kind + area
    position: int = 0
    active: bool = True


@dataclass(frozen=True)
class Dept:
    id: int
    kind: str
    area_id: int | None  # None: city-wide


@dataclass(frozen=True)
class Route:
    department_id: int
    rule_id: int | None  # None: the category's default kind (or R10's unit) was used
    how: str  # "area" | "city_wide" | "fixed" | "responsible_unit"


# R10: the customer-service centre oversees a complaint that the unit concerned handles.
OVERSEER_KIND = "customer_service"


def department_for_kind(kind: str, area_id: int | None, departments: list[Dept]
                        ) -> tuple[Dept, str] | None:
    """The department of `kind` serving `area_id`; a city-wide one when the area has none."""
    of_kind = sorted((d for d in departments if d.kind == kind), key=lambda d: d.id)
    if area_id is not None:
        for dept in of_kind:
            if dept.area_id == area_id:
                return dept, "area"
    for dept in of_kind:
        if dept.area_id is None:
            return dept, "city_wide"
    return None


def route(category: str, area_id: int | None, rules: list[Rule], departments: list[Dept],
          default_kind: str | None = None) -> Route | None:
    """The first matching rule (area-specific rules before general ones, then by position)
    that leads to an existing department; else the category's default kind."""
    candidates = [r for r in rules if r.active and r.category == category
                  and r.area_id in (None, area_id)]
    candidates.sort(key=lambda r: (r.area_id is None, r.position, r.id))
    known = {d.id for d in departments}
    for rule in candidates:
        if rule.department_id is not None:
            if rule.department_id in known:
                return Route(rule.department_id, rule.id, "fixed")
            continue
        found = department_for_kind(rule.department_kind, area_id, departments)
        if found:
            return Route(found[0].id, rule.id, found[1])
    if default_kind:
        found = department_for_kind(default_kind, area_id, departments)
        if found:
            return Route(found[0].id, None, found[1])
    return None


def responsible_unit(unit_id: int | None, departments: list[Dept]) -> Route | None:
    """R10: a complaint about a unit (or one of its staff) goes to that unit."""
    if unit_id is None or unit_id not in {d.id for d in departments}:
        return None
    return Route(unit_id, None, "responsible_unit")


def overseer_for(handler_id: int, area_id: int | None, departments: list[Dept]) -> int | None:
    """R10: the customer-service centre serving the area (else the city-wide one) oversees a
    complaint handled by the unit it is about; nobody when the centre handles it itself."""
    found = department_for_kind(OVERSEER_KIND, area_id, departments)
    if found is None or found[0].id == handler_id:
        return None
    return found[0].id
