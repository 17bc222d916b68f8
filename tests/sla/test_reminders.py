"""P4 sweeps (sla.reminders) against the fake order describer: who hears, what is never
reminded, and that an extension (R15) starts the steps over."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from hotline.notifications.models import Notification
from sla import clocks
from sla.deadline_math import Limit
from sla.ports import ports
from sla.reminders import OVERDUE, sweep_escalations, sweep_reminders
from sla.watch import sweep_breaches
from tests.factories import make_department, make_user
from tests.sla.test_deadline_math import local


def keys(session):
    return sorted(session.scalars(select(Notification.dedupe_key)))


def test_p4_follow_up_goes_to_the_owner_paused_and_clusters_are_skipped(app, session, clock,
                                                                       orders, ctx):
    dept = make_department(session)
    owner = make_user(session, "agent")
    now = clock.now()  # Tue 24 Nov 10:00
    for i in (1, 2, 3):
        orders.add(i, department_id=dept.id, owner_user_id=owner.id)
    follow = clocks.start_clock(session, ("work_order", 1), "follow_up", Limit(minutes=60),
                                now=now, ctx=ctx)
    clocks.start_clock(session, ("work_order", 2), "reply", Limit(minutes=60), now=now, ctx=ctx)
    clocks.start_clock(session, ("cluster", 3), "escalate_cluster", Limit(minutes=60), now=now,
                       ctx=ctx)
    p = ports(app)
    sweep_breaches(session, p, now + timedelta(hours=2))
    clocks.pause(session, ("work_order", 2), now=now + timedelta(hours=3))  # R22
    result = sweep_reminders(session, p, local(2026, 11, 25, 0, 0), ctx)
    assert result.claimed == 1
    stamp = int(follow.due_at.timestamp())
    assert [k for k in keys(session) if k.startswith("remind:")] == [
        f"remind:{follow.id}:{stamp}:u{owner.id}"]


def test_p4_an_extension_starts_the_steps_over(app, session, clock, orders, ctx):
    orders.add(1, department_id=make_department(session).id)
    now = clock.now()
    row = clocks.start_clock(session, ("work_order", 1), "reply", Limit(minutes=60), now=now,
                             ctx=ctx)
    p = ports(app)
    sweep_breaches(session, p, now + timedelta(hours=2))
    assert sweep_reminders(session, p, local(2026, 11, 25, 1, 0), ctx).claimed == 1
    # R15: asked for in time, approved after the breach: a new deadline on Friday.
    clocks.extend(session, ("work_order", 1), "reply", local(2026, 11, 27, 18, 0),
                  now=local(2026, 11, 25, 2, 0), reason="等待配件",
                  requested_at=now + timedelta(minutes=30))
    assert row.reminded_at is None and row.breached_at is None
    assert sweep_escalations(session, p, local(2026, 12, 3, 0, 0), ctx).claimed == 0
    sweep_breaches(session, p, local(2026, 11, 27, 18, 1))
    assert sweep_reminders(session, p, local(2026, 11, 27, 23, 0), ctx).claimed == 0
    assert sweep_reminders(session, p, local(2026, 11, 30, 0, 0), ctx).claimed == 1  # Mon
    assert sweep_escalations(session, p, local(2026, 12, 7, 0, 0), ctx).claimed == 1


@pytest.mark.sqlite_only  # PostgreSQL's choice depends on statistics (benchmarks/sla_sweep.py)
def test_p4_sweeps_read_the_overdue_partial_index(app, session):
    plan = " ".join(str(r) for r in session.execute(text(
        f"EXPLAIN QUERY PLAN SELECT id FROM deadlines WHERE {OVERDUE.text} "
        "AND deadlines.due_at <= '2026-11-24 00:00:00'")))
    assert "ix_deadlines_overdue" in plan, plan
