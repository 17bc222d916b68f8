"""The clock lease and runner: one active clock, standby takes over after expiry."""

from datetime import timedelta

from sqlalchemy import select

from hotline.extensions import db
from hotline.notifications.models import Notification
from sla import clocks, lease
from sla.clock_process import JOBS, ClockRunner, build_scheduler
from sla.deadline_math import Limit
from sla.settings import current_context


def test_lease_is_exclusive_until_it_expires(app, session, clock):
    ttl = timedelta(seconds=30)
    now = clock.now()
    assert lease.acquire(session, "a", now, ttl)
    assert not lease.acquire(session, "b", now + timedelta(seconds=10), ttl)
    assert lease.acquire(session, "a", now + timedelta(seconds=20), ttl)  # renewal
    assert not lease.acquire(session, "b", now + timedelta(seconds=49), ttl)
    assert lease.acquire(session, "b", now + timedelta(seconds=50), ttl)  # a died
    assert not lease.acquire(session, "a", now + timedelta(seconds=55), ttl)
    row = lease.current(session)
    session.refresh(row)
    assert row.holder == "b" and row.acquired_at == now + timedelta(seconds=50)
    assert lease.release(session, "b", now + timedelta(seconds=56))
    assert lease.acquire(session, "a", now + timedelta(seconds=56), ttl)


def test_runner_runs_jobs_only_while_holding(app, clock):
    with app.app_context():
        clocks.start_clock(db.session, ("callback", 1), "reply", Limit(minutes=10),
                           now=clock.now(), ctx=current_context(db.session))
        db.session.commit()
    active, standby = ClockRunner(app, "active"), ClockRunner(app, "standby")
    assert active.renew() and not standby.renew()
    clock.advance(minutes=11)
    assert not active.active()  # its own lease ran out meanwhile: no job without renewing
    assert active.renew() and not standby.renew()
    watch = next(j for j in JOBS if j.id == "watch_deadlines")
    assert standby.run(watch) is None
    assert active.run(watch)["breaches"] == 1
    assert active.run(watch)["breaches"] == 0
    # The active clock stops renewing (it died): after the lease the standby takes over.
    clock.advance(seconds=float(app.config["HOTLINE_CLOCK_LEASE_SECONDS"]) + 1)
    assert not active.active()
    assert standby.renew() and standby.active()
    assert not active.renew()
    with app.app_context():
        assert len(db.session.scalars(select(Notification)).all()) == 1


def test_outage_activation_job_starts_due_outages(app, clock):
    """R26: a planned outage whose start has come is announced as active."""
    from datetime import timedelta

    from hotline.outages.models import OutageNotice
    from tests.factories import make_area

    with app.app_context():
        now = clock.now()
        notice = OutageNotice(kind="planned", status="scheduled", cause="管网改造",
                              start_at=now + timedelta(minutes=5),
                              expected_end_at=now + timedelta(hours=4), urgent=False,
                              created_at=now, updated_at=now, areas=[make_area(db.session)])
        db.session.add(notice)
        db.session.commit()
        notice_id = notice.id
    runner = ClockRunner(app, "one")
    assert runner.renew()
    job = next(j for j in JOBS if j.id == "activate_outages")
    runner.run(job)
    with app.app_context():
        assert db.session.get(OutageNotice, notice_id).status == "scheduled"
    clock.advance(minutes=6)
    assert runner.renew()
    assert runner.run(job) == {"activated": 1}
    with app.app_context():
        assert db.session.get(OutageNotice, notice_id).status == "active"


def test_scheduler_declares_every_job_once(app):
    runner = ClockRunner(app, "x")
    scheduler = build_scheduler(runner)
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {"lease"} | {j.id for j in JOBS}
    for job in jobs.values():
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 1
