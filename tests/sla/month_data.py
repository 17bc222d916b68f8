"""A small month of real work (November 2026) for the report, assessment and chart tests:
work orders through the product's own services (the `world`, `create` and `act` fixtures
of tests/workorders), and calls rolled up into 15-minute service-level intervals."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from ivr.models import Call
from ivr.sla_source import IvrCallSource
from sla import service_level
from sla.jobs import level_settings
from tests.conftest import SHANGHAI


def build_orders(world, create, act, clock) -> SimpleNamespace:
    """Opened on Tue 24 Nov 2026 from 10:00 local (the test clock), ending at 12:00."""
    o = SimpleNamespace()
    o.quick = create()  # leak, north: accepted in 5 min, resolved, satisfied → closed
    o.late = create()  # leak: accepted after 30 min (R14 late), unsatisfied → reopened
    o.returned = create(category="water_quality")  # lab returns it (P3)
    o.complaint = create(category="complaint", description="抄表员态度差")
    o.enquiry = create(category="general_enquiry", answer="水价为每吨3.2元")  # P1
    o.pending = create(category="enquiry", description="想了解阶梯水价")  # not on the call
    clock.advance(minutes=5)
    act(world.fixer, o.quick, "accept")
    act(world.clerk, o.complaint, "accept")
    act(world.chemist, o.returned, "return", reason="不属于化验室")
    clock.advance(minutes=10)
    act(world.fixer, o.quick, "arrive")
    clock.advance(minutes=15)
    act(world.fixer, o.late, "accept")  # 30 min after dispatch: late (R14)
    clock.advance(minutes=30)
    act(world.fixer, o.quick, "resolve", result="已修复")
    act(world.fixer, o.late, "resolve", result="已处理")
    resolve_due = _clock_due(o.complaint, "resolve")
    act(world.clerk, o.complaint, "request_extension", reason="需厂家配合",
        new_due=resolve_due + timedelta(days=3), kind="resolve")
    act(world.supervisor, o.complaint, "approve_extension")  # R15
    clock.advance(minutes=30)
    act(world.clerk, o.complaint, "resolve", result="已道歉并更换抄表员")
    scores = dict(attitude=5, quality=5, timeliness=5, result_score=5)
    act(world.agent, o.quick, "follow_up", outcome="satisfied", **scores)
    act(world.agent, o.late, "follow_up", outcome="unsatisfied", text="还是漏", **scores)
    act(world.agent, o.complaint, "follow_up", outcome="unreachable")
    clock.advance(minutes=30)
    return o


def _clock_due(order, kind):
    from sqlalchemy import select

    from hotline.extensions import db
    from sla.models import Deadline

    return db.session.scalar(select(Deadline.due_at).where(
        Deadline.subject_type == "work_order", Deadline.subject_id == order.id,
        Deadline.kind == kind, Deadline.state == "running"))


# (minutes after 09:00 local on the test day, seconds to answer or None, outcome)
CALLS = [(0, 5, "answered"), (3, 8, "answered"), (7, 20, "answered"), (9, None, "abandoned"),
         (16, 4, "answered"), (31, 30, "answered"), (33, None, "callback"),
         (40, 2, "answered")]


def add_calls(session, app, clock, calls=CALLS) -> list[Call]:
    """Calls that entered the agent queue on the test day, rolled up like the clock does."""
    nine = clock.now().astimezone(SHANGHAI).replace(hour=9, minute=0, second=0,
                                                    microsecond=0)
    rows = []
    for i, (minute, answer, outcome) in enumerate(calls):
        entered = nine + timedelta(minutes=minute)
        answered = entered + timedelta(seconds=answer) if answer is not None else None
        call = Call(call_sid=f"CA{i:032d}", from_number=f"+86139000000{i:02d}",
                    started_at=entered - timedelta(seconds=20), entered_queue_at=entered,
                    answered_at=answered, answer_seconds=answer,
                    ended_at=entered + timedelta(minutes=3), outcome=outcome,
                    status="completed", status_rank=9)
        session.add(call)
        rows.append(call)
    session.flush()
    settings = level_settings(app)
    start = service_level.interval_start(nine)
    while start < nine + timedelta(hours=1):
        service_level.recompute_interval(session, IvrCallSource(), start, clock.now(), settings)
        start += service_level.INTERVAL
    session.commit()
    return rows
