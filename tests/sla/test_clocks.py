"""The deadline-row contract the work-order services call (R14–R24)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline.errors import ValidationFailed
from sla import clocks
from sla.models import SlaPolicy

SH = ZoneInfo("Asia/Shanghai")
WO = ("work_order", 1)


def kinds(rows):
    return {r.kind: r for r in rows}


def test_complaint_opening_starts_respond_and_resolve(app, session, clock, ctx):
    opened = datetime(2026, 9, 30, 17, 0, tzinfo=SH)
    rows = kinds(clocks.start_clocks(session, WO, "complaint", "urban", starts_on="open",
                                     now=opened, ctx=ctx))
    assert set(rows) == {"respond", "resolve"}
    assert rows["respond"].due_at == opened + timedelta(hours=4)  # R18
    assert rows["resolve"].due_at == datetime(2026, 10, 14, tzinfo=SH)  # R18 + R21
    assert rows["resolve"].warn_at == opened + (rows["resolve"].due_at - opened) * 0.8
    assert rows["resolve"].rule == "R18 R21"


def test_leak_on_site_depends_on_area_kind(app, session, clock, ctx):
    now = clock.now()
    urban = kinds(clocks.start_clocks(session, WO, "leak", "urban", starts_on="open", now=now,
                                      ctx=ctx))
    suburban = kinds(clocks.start_clocks(session, ("work_order", 2), "leak", "suburban",
                                         starts_on="open", now=now, ctx=ctx))
    assert urban["on_site"].due_at - now == timedelta(minutes=20)  # R16
    assert suburban["on_site"].due_at - now == timedelta(minutes=30)


def test_general_enquiry_gets_no_clock(app, session, clock, ctx):
    # R6: answered on the call.
    assert clocks.start_clocks(session, WO, "general_enquiry", None, starts_on="open",
                               now=clock.now(), ctx=ctx) == []


def test_redispatch_restarts_the_accept_clock(app, session, clock, ctx):
    now = clock.now()
    first, = clocks.start_clocks(session, WO, "leak", "urban", starts_on="dispatch", now=now,
                                 ctx=ctx)
    second, = clocks.start_clocks(session, WO, "leak", "urban", starts_on="dispatch",
                                  now=now + timedelta(minutes=10), ctx=ctx)
    assert first.state == "cancelled" and second.state == "running"
    assert second.due_at == now + timedelta(minutes=30)  # R14: 20 minutes from dispatch


def test_inactive_or_edited_policy_applies_to_new_clocks(app, session, clock, ctx):
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.kind == "accept"))
    policy.limit_minutes = 10
    accept, = clocks.start_clocks(session, WO, "leak", "urban", starts_on="dispatch",
                                  now=clock.now(), ctx=ctx)
    assert accept.limit_minutes == 10
    policy.active = False
    assert clocks.start_clocks(session, ("work_order", 2), "leak", "urban",
                               starts_on="dispatch", now=clock.now(), ctx=ctx) == []


def test_pause_and_resume_follow_r22(app, session, clock, ctx):
    now = clock.now()  # Tue 24 Nov 10:00
    rows = kinds(clocks.start_clocks(session, WO, "complaint", None, starts_on="open",
                                     now=now, ctx=ctx))
    clocks.pause(session, WO, now=now + timedelta(hours=1))
    assert {r.state for r in rows.values()} == {"paused"}
    resumed = datetime(2026, 11, 27, 15, 0, tzinfo=SH)  # material arrives Fri 15:00
    clocks.resume(session, WO, now=resumed, ctx=ctx)
    assert rows["respond"].due_at == resumed + timedelta(hours=3)
    # 5 working days after Fri 27 Nov: 30 Nov, 1, 2, 3, 4 Dec.
    assert rows["resolve"].due_at == datetime(2026, 12, 5, tzinfo=SH)
    assert rows["resolve"].original_due_at == datetime(2026, 12, 2, tzinfo=SH)


def test_meet_late_records_the_breach(app, session, clock, ctx):
    now = clock.now()
    accept, = clocks.start_clocks(session, WO, "leak", "urban", starts_on="dispatch", now=now,
                                  ctx=ctx)
    clocks.meet(session, WO, ["accept"], now=now + timedelta(minutes=25))
    assert accept.state == "met" and accept.breached_at == accept.due_at
    assert accept.on_time is False


def test_extension_rules_r15(app, session, clock, ctx):
    now = clock.now()
    clocks.start_clocks(session, WO, "complaint", None, starts_on="open", now=now, ctx=ctx)
    resolve = clocks.active_clocks(session, WO, kinds=["resolve"])[0]
    due = resolve.due_at
    with pytest.raises(ValidationFailed):
        clocks.extend(session, WO, "resolve", due + timedelta(days=2), now=now, reason=" ")
    with pytest.raises(ValidationFailed):
        clocks.extend(session, WO, "resolve", due - timedelta(hours=1), now=now, reason="x")
    with pytest.raises(ValidationFailed):
        clocks.extend(session, WO, "resolve", datetime(2026, 12, 30), now=now, reason="x")
    with pytest.raises(ValidationFailed):  # asked after the deadline
        clocks.extend(session, WO, "resolve", due + timedelta(days=2),
                      now=due + timedelta(hours=1), reason="late")
    with pytest.raises(ValidationFailed):
        clocks.extend(session, WO, "survey", due + timedelta(days=2), now=now, reason="x")
    # Asked in time, approved by the supervisor after the deadline passed: allowed.
    resolve.breached_at = due
    row = clocks.extend(session, WO, "resolve", due + timedelta(days=2),
                        now=due + timedelta(hours=1), reason="管材到货延迟",
                        requested_at=due - timedelta(hours=3))
    assert row.due_at == due + timedelta(days=2) and row.original_due_at == due
    assert row.breached_at is None and row.extension_reason == "管材到货延迟"


def test_planned_deadlines(app, session, clock, ctx):
    planned = clocks.planned_deadlines(session, "enquiry", None, clock.now(), ctx=ctx)
    assert planned == {"reply": clock.now() + timedelta(hours=24),  # R19
                       "resolve": datetime(2026, 12, 2, tzinfo=SH)}
