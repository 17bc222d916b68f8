"""The SLA context of the running app: local zone and working calendar (with overrides)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from sla.calendar import WorkingCalendar
from sla.models import CalendarDay


@dataclass
class SlaContext:
    zone: ZoneInfo
    calendar: WorkingCalendar


def load_context(session: Session, zone_name: str, country: str) -> SlaContext:
    overrides = {row.day: row.working for row in session.scalars(select(CalendarDay))}
    return SlaContext(zone=ZoneInfo(zone_name), calendar=WorkingCalendar(country, overrides))


def current_context(session: Session) -> SlaContext:
    """The context for this request (cached on the request) or job, from the app's
    configuration. For the boundary only (handlers, jobs, CLI commands, adapters such as
    the IVR's order desk): services take the context as an argument."""
    cached = getattr(request, "sla_context", None) if has_request_context() else None
    if cached is not None:
        return cached
    ctx = load_context(session, current_app.config["HOTLINE_TIMEZONE"],
                       current_app.config["HOTLINE_COUNTRY"])
    if has_request_context():
        request.sla_context = ctx
    return ctx


def display_calendar(session: Session, language: str | None = None) -> WorkingCalendar:
    """The calendar with overrides, holiday names in `language` (zh_CN by default)."""
    ctx = current_context(session)
    return WorkingCalendar(ctx.calendar.country, ctx.calendar.overrides,
                           language=language or "zh_CN")
