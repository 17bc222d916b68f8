"""`hotline sla due`: the deadlines a new order of a category would get. The accept clock
counts from opening here, since dispatch follows at once."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from hotline.directory.services import area_by_code
from hotline.errors import ValidationFailed
from sla.calendar_admin import year_status
from sla.clocks import active_policies, limit_of
from sla.deadline_math import due_at
from sla.policies import NO_CLOCK_CATEGORIES, select_policies
from sla.ports import SlaPorts
from sla.settings import SlaContext

AREA_KINDS = ("urban", "suburban")


def known_categories(session: Session, ports: SlaPorts) -> set[str]:
    from_policies = {p.category for p in active_policies(session) if p.category != "*"}
    return from_policies | set(ports.categories) | set(NO_CLOCK_CATEGORIES)


def parse_opened_at(value: str, zone) -> datetime:
    """ISO 8601; without an offset the time is local (the utility's zone)."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationFailed(_("not an ISO 8601 date and time: %(value)s", value=repr(value)),
                               fields={"opened_at": "e.g. 2026-09-30T17:00+08:00"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def planned_due(session: Session, ports: SlaPorts, category: str, opened_at: str,
                area_code: str | None = None, *, ctx: SlaContext) -> dict[str, str | list[str]]:
    known = known_categories(session, ports)
    if category not in known:
        raise ValidationFailed(_("unknown category %(category)s; known: %(known)s",
                                 category=repr(category), known=", ".join(sorted(known))),
                               fields={"category": "unknown"})
    start = parse_opened_at(opened_at, ctx.zone)
    if area_code is not None:
        area = area_by_code(session, area_code)
        if area is None:
            raise ValidationFailed(_("unknown area %(area)s", area=repr(area_code)),
                                   fields={"area": "unknown"})
        kinds = [area.kind]
    else:
        kinds = [None, *AREA_KINDS]
    policies = active_policies(session)
    result: dict[str, str | list[str]] = {}
    last = start
    for area_kind in kinds:
        for starts_on in ("open", "dispatch"):
            for policy in select_policies(policies, category, area_kind, starts_on):
                if area_code is None and (policy.area_kind or None) != area_kind:
                    continue  # without an area, name the area-specific ones separately
                key = policy.kind if area_code or area_kind is None else \
                    f"{policy.kind}@{area_kind}"
                due = due_at(start, limit_of(policy), ctx.calendar, ctx.zone)
                result[key] = due.astimezone(ctx.zone).isoformat()
                last = max(last, due)
    result["warnings"] = unconfirmed_year_warnings(
        session, ctx.calendar, start.astimezone(ctx.zone).year, last.astimezone(ctx.zone).year)
    return result


def unconfirmed_year_warnings(session: Session, calendar, first: int, last: int) -> list[str]:
    """Working-day deadlines in a year whose adjusted working days (调休) nobody confirmed
    may be wrong: say so (the library lists no such days for the year, and no admin
    confirmed its official notice)."""
    return [_("the %(year)s calendar is not confirmed: deadlines in %(year)s may change "
              "when the official holiday notice is entered (hotline calendar confirm)",
              year=year)
            for year in range(first, last + 1)
            if not year_status(session, calendar, year).ok]
