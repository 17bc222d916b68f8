"""Calendar administration: overrides of the statutory calendar and year confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.errors import NotFound, ValidationFailed
from sla.calendar import CalendarEntry, WorkingCalendar
from sla.models import CalendarDay, CalendarYear

KINDS = {"holiday": False, "workday": True}


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationFailed(_("not a date (YYYY-MM-DD): %(value)s", value=repr(value)),
                               fields={"day": "YYYY-MM-DD"}) from None


def set_override(session: Session, day: date, kind: str, note: str, *,
                 now: datetime) -> CalendarDay:
    """Make `day` a holiday or a working day, citing the official notice. Setting a day
    again replaces the earlier override."""
    if kind not in KINDS:
        raise ValidationFailed(_("kind must be 'holiday' or 'workday', not %(kind)s",
                                 kind=repr(kind)),
                               fields={"kind": "holiday | workday"})
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("cite the official notice in the note"),
                               fields={"note": "required"})
    if not 2000 <= day.year <= 2100:
        raise ValidationFailed(_("the year is out of range"), fields={"day": "2000–2100"})
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        row = CalendarDay(day=day, working=KINDS[kind], note=note, created_at=now)
        session.add(row)
    else:
        row.working = KINDS[kind]
        row.note = note
        row.created_at = now
    session.flush()
    return row


def remove_override(session: Session, day: date) -> None:
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        raise NotFound(_("no override on %(day)s", day=day.isoformat()))
    session.delete(row)
    session.flush()


def confirm_year(session: Session, year: int, *, user_id: int | None, note: str,
                 now: datetime) -> CalendarYear:
    """An admin reviewed the official notice for `year` (and added overrides if needed)."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("the year is out of range"), fields={"year": "2000–2100"})
    if not (note or "").strip():
        raise ValidationFailed(_("cite the official notice in the note"),
                               fields={"note": "required"})
    row = session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    if row is None:
        row = CalendarYear(year=year, confirmed_at=now)
        session.add(row)
    row.confirmed_by_user_id = user_id
    row.confirmed_at = now
    row.note = note.strip()
    session.flush()
    return row


@dataclass(frozen=True)
class YearStatus:
    year: int
    confirmed: CalendarYear | None
    library_has_year: bool

    @property
    def ok(self) -> bool:
        return self.confirmed is not None or self.library_has_year


def year_status(session: Session, calendar: WorkingCalendar, year: int) -> YearStatus:
    confirmed = session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    return YearStatus(year, confirmed, calendar.library_has_year(year))


def next_year_warning(session: Session, calendar: WorkingCalendar,
                      today: date) -> YearStatus | None:
    """The coming year's status when it is not confirmed: neither an admin reviewed the
    official notice nor does the library know its adjusted working days."""
    status = year_status(session, calendar, today.year + 1)
    return None if status.ok else status


def entries(calendar: WorkingCalendar, year: int) -> list[CalendarEntry]:
    return calendar.entries(year)


def notes_of(session: Session, year: int) -> dict[date, str]:
    rows = session.scalars(select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))
    return {r.day: r.note for r in rows}
