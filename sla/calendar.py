"""Working-day calendar (pure): the statutory calendar of a country, including adjusted
working weekends (调休), with admin overrides on top."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import holidays


class WorkingCalendar:
    def __init__(self, country: str = "CN", overrides: Mapping[date, bool] | None = None):
        self.country = country
        self.overrides: dict[date, bool] = dict(overrides or {})
        self._years: dict[int, holidays.HolidayBase] = {}

    def _statutory(self, year: int) -> holidays.HolidayBase:
        if year not in self._years:
            self._years[year] = holidays.country_holidays(self.country, years=year)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return bool(self._statutory(day.year).is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        return self._statutory(day.year).get(day)

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The Nth working day strictly after `day` (R21: the opening day never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        current = day
        found = 0
        while found < n:
            current += timedelta(days=1)
            if self.is_working_day(current):
                found += 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count
