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
    # Practice limits (hotline.config): P3 returns, P4 reminders, R31 visit notice.
    return_working_days: int = 2
    remind_working_days: int = 1
    escalate_working_days: int = 5
    visit_notice_minutes: int = 120


# SlaContext field ← the setting that gives it.
PRACTICE_SETTINGS = {
    "return_working_days": "HOTLINE_RETURN_WORKING_DAYS",
    "remind_working_days": "HOTLINE_REMIND_WORKING_DAYS",
    "escalate_working_days": "HOTLINE_ESCALATE_WORKING_DAYS",
    "visit_notice_minutes": "HOTLINE_VISIT_NOTICE_MINUTES",
}


def load_context(session: Session, zone_name: str, country: str,
                 config: dict | None = None) -> SlaContext:
    overrides = {row.day: row.working for row in session.scalars(select(CalendarDay))}
    practice = {name: int(config[key]) for name, key in PRACTICE_SETTINGS.items()
                if config and key in config}
    return SlaContext(zone=ZoneInfo(zone_name), calendar=WorkingCalendar(country, overrides),
                      **practice)


def current_context(session: Session) -> SlaContext:
    """The context for this request (cached on the request) or job, from the app's
    configuration. For the boundary only (handlers, jobs, CLI commands, adapters such as
    the IVR's order desk): services take the context as an argument."""
    cached = getattr(request, "sla_context", None) if has_request_context() else None
    if cached is not None:
        return cached
    ctx = load_context(session, current_app.config["HOTLINE_TIMEZONE"],
                       current_app.config["HOTLINE_COUNTRY"], current_app.config)
    if has_request_context():
        request.sla_context = ctx
    return ctx


def display_calendar(session: Session, language: str | None = None) -> WorkingCalendar:
    """The calendar with overrides, holiday names in `language` (zh_CN by default)."""
    ctx = current_context(session)
    return WorkingCalendar(ctx.calendar.country, ctx.calendar.overrides,
                           language=language or "zh_CN")
