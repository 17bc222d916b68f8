"""CLI: `hotline calendar show|add|confirm`, `hotline sla due`, `hotline clock`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from hotline.clock import utcnow
from hotline.errors import DomainError
from hotline.extensions import db
from sla import calendar_admin
from sla.calendar import ADJUSTED_WORKDAY, HOLIDAY, OVERRIDE_HOLIDAY, OVERRIDE_WORKDAY
from sla.clock_process import serve
from sla.due import planned_due
from sla.ports import ports
from sla.settings import current_context, display_calendar

calendar_cli = AppGroup("calendar", help="Working-day calendar: holidays, 调休, overrides.")
sla_cli = AppGroup("sla", help="SLA deadlines.")


def fail(err: DomainError) -> None:
    db.session.rollback()
    detail = "; ".join(f"{k}: {v}" for k, v in err.fields.items())
    raise click.ClickException(f"{err.message}" + (f" ({detail})" if detail else ""))


def kind_labels() -> dict[str, str]:
    return {HOLIDAY: _("holiday"), ADJUSTED_WORKDAY: _("adjusted working day (调休)"),
            OVERRIDE_HOLIDAY: _("holiday (override)"),
            OVERRIDE_WORKDAY: _("working day (override)")}


@calendar_cli.command("show")
@click.argument("year", type=click.IntRange(2000, 2100))
def calendar_show(year: int):
    """List the holidays, adjusted working weekends and overrides of YEAR."""
    calendar = display_calendar(db.session)
    notes = calendar_admin.notes_of(db.session, year)
    labels = kind_labels()
    for entry in calendar.entries(year):
        line = f"{entry.day.isoformat()} {entry.day.strftime('%a')}  {labels[entry.kind]}"
        if entry.name:
            line += f"  {entry.name}"
        if entry.day in notes:
            line += f"  — {notes[entry.day]}"
        click.echo(line)
    status = calendar_admin.year_status(db.session, calendar, year)
    if status.confirmed:
        click.echo(_("Confirmed on %(when)s: %(note)s",
                     when=status.confirmed.confirmed_at.date().isoformat(),
                     note=status.confirmed.note))
    elif not status.library_has_year:
        click.echo(_("Warning: %(year)s is not confirmed: the library knows only fixed-date "
                     "holidays. Add the official notice's days and confirm the year.",
                     year=year), err=True)


@calendar_cli.command("add")
@click.argument("day")
@click.argument("kind")
@click.option("--note", required=True, help="the official notice this follows")
def calendar_add(day: str, kind: str, note: str):
    """Make DAY (YYYY-MM-DD) a holiday or a workday."""
    try:
        row = calendar_admin.set_override(db.session, calendar_admin.parse_day(day), kind,
                                          note, now=utcnow())
    except DomainError as err:
        fail(err)
    db.session.commit()
    click.echo(f"{row.day.isoformat()} {'workday' if row.working else 'holiday'}")


@calendar_cli.command("confirm")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("--note", required=True, help="the official notice reviewed")
def calendar_confirm(year: int, note: str):
    """Record that YEAR's calendar was checked against the official notice."""
    try:
        calendar_admin.confirm_year(db.session, year, user_id=None, note=note, now=utcnow())
    except DomainError as err:
        fail(err)
    db.session.commit()
    click.echo(f"{year} confirmed")


@sla_cli.command("due")
@click.argument("category")
@click.option("--opened-at", "opened_at", required=True,
              help="ISO 8601, e.g. 2026-09-30T17:00+08:00 (local time without an offset)")
@click.option("--area", "area_code", default=None, help="area code (urban/suburban limits)")
def sla_due(category: str, opened_at: str, area_code: str | None):
    """Print the deadlines a new order of CATEGORY would get, as JSON."""
    try:
        result = planned_due(db.session, ports(), category, opened_at, area_code,
                             ctx=current_context(db.session))
    except DomainError as err:
        fail(err)
    for warning in result["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@click.command("clock")
@click.option("--holder", default=None, help="lease holder id (default host:pid:random)")
@with_appcontext
def clock_command(holder: str | None):
    """Run the scheduler (one active clock; others stand by on the database lease)."""
    serve(current_app._get_current_object(), holder)
