"""Links into the order list with filters: the SLA charts and reports click through to the
orders behind a figure (registered as `sla.ports.SlaPorts.orders_link`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _

from hotline.errors import ValidationFailed

FILTERS = ("status", "category", "area", "department", "overdue", "opened_from", "opened_to",
           "open_on", "overdue_on")


def orders_link(**filters: object) -> str:
    """`/workorders/?view=all&...`: codes for category, area, department and status;
    `overdue=True`; `opened_from` / `opened_to` local dates (both days included);
    `open_on` / `overdue_on` a local date: open (overdue) at the end of that day."""
    args: dict[str, str] = {"view": "all"}
    for name, value in filters.items():
        if name not in FILTERS:
            raise ValueError(f"the order list has no filter {name!r}")
        if value is None or value is False or value == "":
            continue
        args[name] = "1" if value is True else (
            value.isoformat() if isinstance(value, date) else str(value))
    return url_for("workorders.index", **args)


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Dates look like 2026-11-24."), fields={name: value}) from None


def date_filters(args) -> dict[str, datetime | None]:
    """The list's date filters as UTC-aware moments for `queries.Filters`: `opened_from` /
    `opened_to` (local days, both included) become [opened_since, opened_until);
    `open_on` / `overdue_on` become the end of that local day."""
    zone = ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])

    def start_of(day: date | None) -> datetime | None:
        return datetime.combine(day, time(0), tzinfo=zone) if day else None

    def end_of(name: str) -> datetime | None:
        day = _day(name, args.get(name))
        return start_of(day + timedelta(days=1)) if day else None

    return {"opened_since": start_of(_day("opened_from", args.get("opened_from"))),
            "opened_until": end_of("opened_to"), "open_at": end_of("open_on"),
            "overdue_at": end_of("overdue_on")}
