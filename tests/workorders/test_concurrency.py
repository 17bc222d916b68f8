"""Race-free claiming and numbering with real threads on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from hotline.errors import Conflict
from hotline.extensions import db
from tests.factories import make_user
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.services.actions import perform
from workorders.services.create import open_work_order
from tests.workorders.conftest import details

N = 8


def _run_parallel(app, work, n=N):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - the outcome is what we test
                db.session.rollback()
                results[i] = err
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.commits  # threads, each on its own connection
def test_parallel_accepts_one_wins(app, session, world, create, clock, ctx):
    order = create()
    staff = [make_user(session, "staff", world.maint_north, username=f"crew{i}")
             for i in range(N)]
    session.commit()
    ids = [u.id for u in staff]
    number, version = order.number, order.version

    def accept(i):
        user = db.session.get(type(staff[0]), ids[i])
        return perform(db.session, user=user, number=number, action="accept",
                       version=version, params={}, now=clock.now(), ctx=ctx).status

    results = _run_parallel(app, accept)
    assert results.count("accepted") == 1, results
    assert all(isinstance(r, Conflict) for r in results if r != "accepted")
    session.expire_all()
    stored = session.get(WorkOrder, order.id)
    assert stored.status == "accepted" and stored.version == version + 1
    assert session.scalar(select(func.count()).where(
        WorkOrderEvent.order_id == order.id, WorkOrderEvent.action == "accept")) == 1


@pytest.mark.postgres_only
@pytest.mark.commits  # threads, each on its own connection
def test_parallel_creation_gives_unique_numbers(app, session, world, clock, ctx):
    agent_id = world.agent.id

    def create_one(i):
        user = db.session.get(type(world.agent), agent_id)
        return open_work_order(db.session, details(world, description=f"#{i}"), actor=user,
                               channel="phone", now=clock.now(), ctx=ctx).number

    results = _run_parallel(app, create_one)
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"WO-20261124-{i:04d}" for i in range(1, N + 1)]


def test_second_accept_with_the_same_version_is_refused(session, world, create, act):
    # On SQLite the same conditional UPDATE decides (sequentially here).
    order = create()
    seen = order.version
    act(world.fixer, order, "accept", version=seen)
    with pytest.raises(Conflict):
        act(world.fixer2, order, "accept", version=seen)
