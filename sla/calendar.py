"""Working-day calendar (pure): the statutory calendar of a country, including adjusted
working weekends (调休), with admin overrides on top."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

# Kinds of calendar entries shown to admins.
HOLIDAY = "holiday"
ADJUSTED_WORKDAY = "adjusted_workday"  # 调休: a weekend day that is worked
OVERRIDE_HOLIDAY = "override_holiday"
OVERRIDE_WORKDAY = "override_workday"


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    kind: str
    name: str  # the statutory name in the calendar's language ("" for plain overrides)
    working: bool


class WorkingCalendar:
    def __init__(self, country: str = "CN", overrides: Mapping[date, bool] | None = None,
                 language: str | None = None):
        self.country = country
        self.language = language
        self.overrides: dict[date, bool] = dict(overrides or {})
        self._years: dict[int, holidays.HolidayBase] = {}

    def _statutory(self, year: int) -> holidays.HolidayBase:
        if year not in self._years:
            kwargs = {"language": self.language} if self.language else {}
            try:
                self._years[year] = holidays.country_holidays(self.country, years=year,
                                                              **kwargs)
            except NotImplementedError:  # the library has no such translation
                self._years[year] = holidays.country_holidays(self.country, years=year)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return bool(self._statutory(day.year).is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        return self._statutory(day.year).get(day)

    def adjusted_workdays(self, year: int) -> list[date]:
        """Weekend days worked in `year` by statute (调休), as the library knows them."""
        statutory = self._statutory(year)
        return sorted(d for d in getattr(statutory, "weekend_workdays", ()) if d.year == year)

    def library_has_year(self, year: int) -> bool:
        """False when the library only knows fixed-date holidays for `year`: a country that
        moves weekends (China) but has no adjusted working day listed for that year has not
        had its official notice added to the library yet."""
        if self.adjusted_workdays(year):
            return True
        uses_adjustments = bool(getattr(self._statutory(year), "weekend_workdays", ()))
        return not uses_adjustments

    def entries(self, year: int) -> list[CalendarEntry]:
        """Holidays, adjusted working weekends and overrides of `year`, by date."""
        found: dict[date, CalendarEntry] = {}
        for day, name in self._statutory(year).items():
            if day.year == year:
                found[day] = CalendarEntry(day, HOLIDAY, name, False)
        for day in self.adjusted_workdays(year):
            found[day] = CalendarEntry(day, ADJUSTED_WORKDAY, "", True)
        for day, working in self.overrides.items():
            if day.year == year:
                name = found[day].name if day in found else ""
                kind = OVERRIDE_WORKDAY if working else OVERRIDE_HOLIDAY
                found[day] = CalendarEntry(day, kind, name, working)
        return [found[d] for d in sorted(found)]

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
