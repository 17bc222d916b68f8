"""Demo data, KPI queries and the SLA ports."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sla import ports
from workorders import stats
from workorders.demo import load_demo_orders
from workorders.models import WorkOrder


def test_demo_orders_cover_statuses_and_are_idempotent(session, world, clock):
    created = load_demo_orders(session, clock.now())
    session.commit()
    assert created >= 30
    statuses = set(session.scalars(select(WorkOrder.status)))
    assert {"dispatched", "accepted", "in_progress", "resolved", "closed", "reopened",
            "returned", "awaiting_customer", "merged", "cancelled"} <= statuses
    assert load_demo_orders(session, clock.now()) == 0
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == created


def test_stats_rates(app, session, world, create, act, clock):
    start = clock.now() - timedelta(days=1)
    one, two, three = create(), create(), create(category="water_quality")
    for order, outcome in ((one, "satisfied"), (two, "unsatisfied")):
        act(world.fixer, order, "accept")
        act(world.fixer, order, "resolve", result="ok")
        extra = {"text": "还是漏"} if outcome == "unsatisfied" else {}
        act(world.agent, order, "follow_up", outcome=outcome, attitude=4, quality=4,
            timeliness=4, result_score=4, **extra)
    end = clock.now() + timedelta(minutes=1)
    assert stats.satisfaction_rate(session, start, end) == 0.5
    assert stats.reopen_rate(session, start, end) == 0.5  # one reopening, two resolutions
    assert stats.follow_up_rate(session, start, end) == 1.0
    clock.advance(hours=1)
    act(world.fixer, two, "accept")
    act(world.fixer, two, "resolve", result="again")  # resolved again, not yet called
    later = clock.now() - timedelta(seconds=1)
    assert stats.follow_up_rate(session, later, clock.now() + timedelta(minutes=1)) == 0.0
    assert stats.follow_up_rate(session, start, clock.now() + timedelta(minutes=1)) == 1.0
    top = stats.top_categories_by_area(session, start, end)
    assert [(c.category, c.count) for c in top[world.north.id]] == [("leak", 2),
                                                                    ("water_quality", 1)]
    figures = stats.order_figures(session, start, end)
    assert figures.satisfaction_rate == 0.5
    assert [c.category for c in figures.top_categories] == ["leak", "water_quality"]
    assert ports.ports(app).order_stats is stats.order_figures
    assert stats.satisfaction_rate(session, end, end + timedelta(days=1)) is None
    assert three.status == "dispatched"


def test_sla_ports_describe_orders_and_clusters(app, session, world, create, act, clock):
    order = create()
    closed = create(category="general_enquiry", answer="已答复")
    registered = ports.ports(app)
    info = registered.subjects["work_order"](session, [order.id, closed.id])
    assert info[order.id].label == order.number
    assert info[order.id].department_id == world.maint_north.id
    assert info[order.id].owner_user_id == world.agent.id
    assert info[order.id].link == f"/workorders/{order.number}"
    assert info[order.id].category == "leak" and not info[order.id].closed
    assert info[closed.id].closed
    candidates = registered.clusters(session, clock.now() - timedelta(hours=1),
                                     clock.now() + timedelta(hours=1))
    assert [c.subject_id for c in candidates] == [order.id]
    assert candidates[0].area_id == world.north.id
