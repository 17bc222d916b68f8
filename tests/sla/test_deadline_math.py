"""Pure deadline arithmetic: worked examples of SERVICE-RULES.md (R18, R21, R22, R15), the
2026 Chinese holidays with their adjusted working weekends, and a DST zone."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from sla.calendar import ADJUSTED_WORKDAY, HOLIDAY, OVERRIDE_WORKDAY, WorkingCalendar
from sla.deadline_math import (Limit, due_at, end_of_working_day, overdue_steps, resume_due,
                               warn_at)

SH = ZoneInfo("Asia/Shanghai")
CN = WorkingCalendar("CN")
FIVE_DAYS = Limit(working_days=5)


def local(*args, zone=SH):
    return datetime(*args, tzinfo=zone)


def test_worked_example_complaint_over_national_day():
    # R18 + R21: opened Wed 2026-09-30 17:00 → working days 8, 9, 10 (Sat), 12, 13 Oct.
    due = due_at(local(2026, 9, 30, 17, 0), FIVE_DAYS, CN, SH)
    assert due == local(2026, 10, 14, 0, 0)
    assert due.astimezone(SH).date() - timedelta(days=1) == date(2026, 10, 13)
    assert due.tzinfo == timezone.utc


def test_opening_day_never_counts_even_at_midnight():
    # R21: opened at 00:00 on a Monday still starts counting on Tuesday.
    assert due_at(local(2026, 11, 23, 0, 0), Limit(working_days=1), CN, SH) == \
        local(2026, 11, 25, 0, 0)


@pytest.mark.parametrize("day,working", [
    (date(2026, 9, 20), True),    # Sun, 调休 working day before National Day
    (date(2026, 10, 10), True),   # Sat, 调休
    (date(2026, 10, 1), False), (date(2026, 10, 7), False),
    (date(2026, 2, 14), True),    # Sat before Spring Festival
    (date(2026, 2, 28), True),    # Sat after Spring Festival
    (date(2026, 2, 17), False), (date(2026, 2, 23), False),
    (date(2026, 5, 9), True),     # Sat after Labour Day
    (date(2026, 5, 1), False), (date(2026, 5, 5), False),
])
def test_2026_statutory_days(day, working):
    assert CN.is_working_day(day) is working


def test_spring_festival_2026():
    # Fri 13 Feb; working days after: Sat 14 (调休), Tue 24, Wed 25, Thu 26, Fri 27 Feb.
    assert due_at(local(2026, 2, 13, 9), FIVE_DAYS, CN, SH) == local(2026, 2, 28, 0, 0)
    # Sat 28 Feb is itself worked: a 6th day lands on it.
    assert due_at(local(2026, 2, 13, 9), Limit(working_days=6), CN, SH) == \
        local(2026, 3, 1, 0, 0)


def test_labour_day_2026():
    # Thu 30 Apr; 1–5 May off; Wed 6, Thu 7, Fri 8, Sat 9 (调休), Mon 11 May.
    assert due_at(local(2026, 4, 30, 16), FIVE_DAYS, CN, SH) == local(2026, 5, 12, 0, 0)


def test_national_day_adjusted_sunday_counts():
    # Sat 19 Sep; Sun 20 Sep is worked (调休): day 1.
    assert due_at(local(2026, 9, 19, 10), Limit(working_days=1), CN, SH) == \
        local(2026, 9, 21, 0, 0)


def test_override_beats_statute():
    calendar = WorkingCalendar("CN", {date(2026, 10, 8): False, date(2026, 10, 11): True})
    # 8 Oct now off, Sun 11 Oct now worked: 9, 10, 11, 12, 13.
    assert due_at(local(2026, 9, 30, 17), FIVE_DAYS, calendar, SH) == local(2026, 10, 14)
    assert not calendar.is_working_day(date(2026, 10, 8))
    kinds = {e.day: e.kind for e in calendar.entries(2026)}
    assert kinds[date(2026, 10, 11)] == OVERRIDE_WORKDAY
    assert kinds[date(2026, 9, 20)] == ADJUSTED_WORKDAY
    assert kinds[date(2026, 10, 1)] == HOLIDAY


def test_library_year_detection():
    # holidays 0.109 has the 2026 notice (adjusted weekends) but only fixed dates for 2027.
    assert CN.library_has_year(2026)
    assert not CN.library_has_year(2027)
    # A country without adjusted weekends is complete from its fixed dates.
    assert WorkingCalendar("DE").library_has_year(2027)


def test_chinese_holiday_names():
    assert WorkingCalendar("CN", language="zh_CN").holiday_name(date(2026, 10, 1)) == "国庆节"


BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_hour_limit_is_real_time_across_spring_forward():
    # Berlin springs forward at 02:00 on Sun 29 Mar 2026: 24 real hours end at 01:00 + 1 day
    # on the wall clock + 1 h.
    start = local(2026, 3, 28, 12, 0, zone=BERLIN)
    due = due_at(start, Limit(minutes=24 * 60), WorkingCalendar("DE"), BERLIN)
    assert due - start == timedelta(hours=24)
    assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 13, 0)


def test_day_limit_ends_at_local_midnight_across_fall_back():
    # New York falls back on Sun 1 Nov 2026: the due time is still 24:00 local.
    calendar = WorkingCalendar("US")
    due = due_at(local(2026, 10, 30, 15, zone=NEW_YORK), Limit(working_days=1), calendar,
                 NEW_YORK)
    assert due == local(2026, 11, 3, 0, 0, zone=NEW_YORK)
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(NEW_YORK).utcoffset() == timedelta(hours=-5)


def test_pause_resume_hours_keeps_remaining_time():
    # R22: 4 h clock, paused after 1 h, resumed 3 days later → 3 h left.
    start = local(2026, 11, 24, 10)
    due = due_at(start, Limit(minutes=240), CN, SH)
    paused = start + timedelta(hours=1)
    resumed = paused + timedelta(days=3)
    assert resume_due(paused, due, resumed, Limit(minutes=240), CN, SH) == \
        resumed + timedelta(hours=3)


def test_pause_resume_days_restart_from_day_after_material():
    # R22: material arrives Fri 2 Oct (holiday) 11:00 → 5 working days from 8 Oct.
    start = local(2026, 9, 28, 9)
    due = due_at(start, FIVE_DAYS, CN, SH)
    resumed = local(2026, 10, 2, 11)
    assert resume_due(local(2026, 9, 29, 9), due, resumed, FIVE_DAYS, CN, SH) == \
        local(2026, 10, 14)


def test_paused_after_due_resumes_due_immediately():
    start = local(2026, 11, 24, 10)
    due = due_at(start, Limit(minutes=20), CN, SH)
    assert resume_due(due + timedelta(minutes=5), due, due + timedelta(hours=1),
                      Limit(minutes=20), CN, SH) == due + timedelta(hours=1)


def test_warn_at_ratio():
    start = local(2026, 11, 24, 10)
    assert warn_at(start, start + timedelta(minutes=20), 0.8) == start + timedelta(minutes=16)


def test_limits_are_validated():
    with pytest.raises(ValueError):
        Limit()
    with pytest.raises(ValueError):
        Limit(minutes=5, working_days=1)
    with pytest.raises(ValueError):
        Limit(working_days=-1)
    with pytest.raises(ValueError):
        due_at(datetime(2026, 1, 1), Limit(minutes=5), CN, SH)


def test_zero_working_days_end_the_same_day_even_on_a_holiday():
    # R16: a small repair opened on National Day is still due at 24:00 that day.
    same_day = Limit(working_days=0)
    assert due_at(local(2026, 10, 1, 9, 30), same_day, CN, SH) == local(2026, 10, 2, 0, 0)
    assert due_at(local(2026, 11, 24, 23, 59), same_day, CN, SH) == local(2026, 11, 25, 0, 0)


def test_p4_reminder_on_the_next_working_day_escalation_five_later():
    # P4: a complaint due at the end of Wed 30 Sep 2026 is reminded on the first working day
    # after it (Thu 8 Oct, after National Day) and escalated 5 working days later: 9, 10
    # (Sat, 调休), 12, 13, 14 Oct.
    remind, escalate = overdue_steps(local(2026, 10, 1, 0, 0), CN, SH)
    assert remind == local(2026, 10, 8, 0, 0)
    assert escalate == local(2026, 10, 14, 0, 0)
    # An hour clock due on Tue 24 Nov at 10:20 is reminded at the start of Wed 25 Nov.
    remind, escalate = overdue_steps(local(2026, 11, 24, 10, 20), CN, SH)
    assert remind == local(2026, 11, 25, 0, 0) and escalate == local(2026, 12, 2, 0, 0)


# Property tests -------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20),
                      timezones=st.just(timezone.utc))
zones = st.sampled_from([SH, BERLIN, NEW_YORK])
day_limits = st.integers(min_value=1, max_value=12).map(lambda n: Limit(working_days=n))
minute_limits = st.integers(min_value=0, max_value=7 * 24 * 60).map(lambda m: Limit(minutes=m))
CALENDARS = {"CN": CN, "DE": WorkingCalendar("DE"), "US": WorkingCalendar("US")}


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=day_limits, zone=zones)
def test_day_due_is_end_of_a_working_day(start, limit, zone):
    due = due_at(start, limit, CN, zone).astimezone(zone)
    assert (due.hour, due.minute, due.second) == (0, 0, 0)
    last_day = due.date() - timedelta(days=1)
    assert CN.is_working_day(last_day)
    assert last_day > start.astimezone(zone).date()  # R21: never the opening day
    assert CN.working_days_between(start.astimezone(zone).date(), last_day) == \
        limit.working_days


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=minute_limits, zone=zones)
def test_hour_limits_are_exact_real_durations(start, limit, zone):
    local_start = start.astimezone(zone)
    assert due_at(local_start, limit, CN, zone) - start == timedelta(minutes=limit.minutes)


@settings(max_examples=150, deadline=None)
@given(a=starts, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
       limit=day_limits)
def test_day_due_is_monotonic_in_start(a, gap, limit):
    assert due_at(a, limit, CN, SH) <= due_at(a + gap, limit, CN, SH)


@settings(max_examples=150, deadline=None)
@given(start=starts, limit=minute_limits,
       used=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=8)),
       pause=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_resume_never_shortens_the_remaining_hour_budget(start, limit, used, pause):
    due = due_at(start, limit, CN, SH)
    paused_at = start + used
    resumed_at = paused_at + pause
    new_due = resume_due(paused_at, due, resumed_at, limit, CN, SH)
    assert new_due - resumed_at == max(due - paused_at, timedelta(0))
    assert new_due >= due or paused_at > due


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_end_of_working_day_is_next_local_midnight(day):
    end = end_of_working_day(day, SH).astimezone(SH)
    assert end.date() == day + timedelta(days=1) and end.hour == 0
