"""Deadline arithmetic (pure). Hour limits run on real elapsed time; day limits count
working days in the utility's local calendar (R21, R22)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sla.calendar import WorkingCalendar


@dataclass(frozen=True)
class Limit:
    minutes: int | None = None
    working_days: int | None = None

    def __post_init__(self) -> None:
        if (self.minutes is None) == (self.working_days is None):
            raise ValueError("a limit is either minutes or working days")
        if (self.minutes or 0) < 0 or (self.working_days is not None and self.working_days < 1):
            raise ValueError("a limit must be positive")

    @property
    def is_days(self) -> bool:
        return self.working_days is not None


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime refused")
    return value


def end_of_working_day(day, zone: ZoneInfo) -> datetime:
    """24:00 local at the end of `day`, as UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return midnight.astimezone(timezone.utc)


def due_at(start: datetime, limit: Limit, calendar: WorkingCalendar, zone: ZoneInfo) -> datetime:
    """When a clock of `limit` started at `start` is due."""
    start = _aware(start)
    if limit.minutes is not None:
        return (start.astimezone(timezone.utc) + timedelta(minutes=limit.minutes))
    local_day = start.astimezone(zone).date()
    last_day = calendar.nth_working_day_after(local_day, limit.working_days)
    return end_of_working_day(last_day, zone)


def warn_at(start: datetime, due: datetime, ratio: float) -> datetime:
    """The moment `ratio` of the allowed time has passed."""
    return start + (due - start) * ratio


def resume_due(paused_at: datetime, due: datetime, resumed_at: datetime, limit: Limit,
               calendar: WorkingCalendar, zone: ZoneInfo) -> datetime:
    """R22: hour limits keep the time that was left; day limits restart from the day after
    the material arrived."""
    if limit.is_days:
        return due_at(resumed_at, limit, calendar, zone)
    remaining = max(due - paused_at, timedelta(0))
    return resumed_at + remaining
