"""`hotline calendar show|add|confirm` and `hotline sla due`."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from sla.models import CalendarDay, CalendarYear
from tests.factories import make_area


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def _run(*args):
        return runner.invoke(args=list(args))

    return _run


def test_calendar_show_lists_holidays_adjusted_days_and_names(run):
    result = run("calendar", "show", "2026")
    assert result.exit_code == 0, result.output
    assert "2026-10-01" in result.output and "国庆节" in result.output
    assert "2026-10-10" in result.output and "调休上班日" in result.output
    assert "2026-02-17" in result.output and "春节" in result.output


def test_calendar_show_warns_for_an_unconfirmed_year(run):
    result = run("calendar", "show", "2027")
    assert result.exit_code == 0
    assert "2027" in result.output and "尚未确认" in result.output


def test_calendar_add_override_and_show_it(run, app, session):
    result = run("calendar", "add", "2027-02-06", "workday", "--note", "国办发明电〔2026〕号")
    assert result.exit_code == 0, result.output
    row = session.scalar(select(CalendarDay))
    assert (row.day, row.working) == (date(2027, 2, 6), True)
    assert "国办发明电" in run("calendar", "show", "2027").output
    assert run("calendar", "add", "2027-02-06", "holiday", "--note", "x").exit_code == 0
    session.expire_all()
    assert session.scalar(select(CalendarDay)).working is False


@pytest.mark.parametrize("args,message", [
    (("2027-02-30", "holiday", "--note", "n"), "不是有效日期"),
    (("tomorrow", "holiday", "--note", "n"), "不是有效日期（YYYY-MM-DD）：'tomorrow'"),
    (("2027-02-06", "vacation", "--note", "n"), "类型必须是"),
    (("2027-02-06", "holiday", "--note", " "), "官方通知"),
])
def test_calendar_add_refuses_bad_input(run, session, args, message):
    result = run("calendar", "add", *args)
    assert result.exit_code != 0 and message in result.output
    assert session.scalar(select(CalendarDay)) is None


def test_calendar_confirm(run, session):
    assert run("calendar", "confirm", "2027", "--note", "国务院办公厅通知").exit_code == 0
    assert session.scalar(select(CalendarYear)).year == 2027
    assert "尚未确认" not in run("calendar", "show", "2027").output


def test_sla_due_worked_example(run):
    # R18 + R21: complaint opened Wed 2026-09-30 17:00 → end of Tue 13 Oct, local offset.
    result = run("sla", "due", "complaint", "--opened-at", "2026-09-30T17:00:00+08:00")
    assert result.exit_code == 0, result.output
    due = json.loads(result.output)
    assert due["resolve"] == "2026-10-14T00:00:00+08:00"
    assert due["respond"] == "2026-09-30T21:00:00+08:00"
    assert due["accept"] == "2026-09-30T17:20:00+08:00"  # counted from opening


def test_sla_due_area_kind_limits(run, session):
    make_area(session, code="SUB1", kind="suburban")
    session.commit()
    with_area = json.loads(run("sla", "due", "leak", "--opened-at", "2026-11-24T10:00",
                               "--area", "SUB1").output)
    assert with_area["on_site"] == "2026-11-24T10:30:00+08:00"
    without = json.loads(run("sla", "due", "leak", "--opened-at", "2026-11-24T10:00").output)
    assert without["on_site@urban"] == "2026-11-24T10:20:00+08:00"
    assert without["on_site@suburban"] == "2026-11-24T10:30:00+08:00"


@pytest.mark.parametrize("args,message", [
    (("nonsense", "--opened-at", "2026-11-24T10:00"), "未知类别 'nonsense'"),
    (("leak", "--opened-at", "24/11/2026"), "不是 ISO 8601"),
    (("leak", "--opened-at", "2026-11-24T10:00", "--area", "NOPE"), "未知区域 'NOPE'"),
])
def test_sla_due_errors(run, args, message):
    result = run("sla", "due", *args)
    assert result.exit_code != 0 and message in result.output


def test_sla_due_warns_about_an_unconfirmed_year(app, session):
    """Issue 14 item 16: 2027's adjusted working days are unknown to the library; the
    deadlines print with a warning on stderr and in the JSON, until an admin confirms."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sla", "due", "complaint", "--opened-at",
                                 "2027-03-03T10:00+08:00"])
    assert result.exit_code == 0, result.output
    assert "2027" in result.stderr and "warning" in result.stderr
    due = json.loads(result.stdout)
    assert len(due["warnings"]) == 1 and "2027" in due["warnings"][0]
    session.add(CalendarYear(year=2027, confirmed_at=app.extensions["hotline.clock"].now(),
                             note="国务院办公厅通知"))
    session.commit()
    again = runner.invoke(args=["sla", "due", "complaint", "--opened-at",
                                "2027-03-03T10:00+08:00"])
    assert json.loads(again.stdout)["warnings"] == [] and "warning" not in again.stderr


def test_sla_due_in_a_known_year_has_no_warning(run):
    due = json.loads(run("sla", "due", "complaint", "--opened-at", "2026-09-30T17:00").output)
    assert due["warnings"] == []
