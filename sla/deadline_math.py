"""Deadline arithmetic (pure). Hour limits run on real elapsed time; day limits count
working days in the utility's local calendar (R21, R22); a limit of 0 working days ends at
24:00 of the start day (R16: small repairs are finished the same day)."""

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
        if (self.minutes or 0) < 0 or (self.working_days is not None and self.working_days < 0):
            raise ValueError("a limit must not be negative")

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
    if limit.working_days == 0:  # R16: the same (calendar) day, working day or not
        return end_of_working_day(local_day, zone)
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


def start_of_day(day, zone: ZoneInfo) -> datetime:
    """00:00 local at the start of `day`, as UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def overdue_steps(due: datetime, calendar: WorkingCalendar, zone: ZoneInfo, *,
                  remind_after: int = 1, escalate_after: int = 5) -> tuple[datetime, datetime]:
    """P4: when an overdue clock gets its reminder (催办) and its written escalation (督办).
    The reminder comes at the start of the `remind_after`-th working day after the day the
    deadline fell due (a deadline at 24:00 falls due on the day that ends); the escalation
    at the start of the `escalate_after`-th working day after the reminder's day."""
    due_day = (_aware(due) - timedelta(microseconds=1)).astimezone(zone).date()
    remind_day = calendar.nth_working_day_after(due_day, remind_after)
    escalate_day = calendar.nth_working_day_after(remind_day, escalate_after)
    return start_of_day(remind_day, zone), start_of_day(escalate_day, zone)
