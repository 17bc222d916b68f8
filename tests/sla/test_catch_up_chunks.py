"""The clock catches up in bounded chunks (issue 13): one sweep claims at most SWEEP_CHUNK
clocks, the earliest first, and the runner commits and runs it again until the backlog is
done, so a catch-up of 300,000 overdue deadlines never holds them all at once."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from hotline.extensions import db
from hotline.notifications.models import Notification
from sla import clocks, jobs
from sla.clock_process import JOBS, ClockRunner
from sla.deadline_math import Limit
from sla.models import Deadline
from sla.settings import current_context


def _overdue(app, clock, count: int) -> None:
    with app.app_context():
        for i in range(1, count + 1):
            clocks.start_clock(db.session, ("callback", i), "reply", Limit(minutes=10 + i),
                               now=clock.now(), ctx=current_context(db.session))
        db.session.commit()
    clock.advance(hours=1)


def test_one_sweep_claims_one_chunk_earliest_first(app, session, clock, monkeypatch):
    _overdue(app, clock, 5)
    monkeypatch.setattr(jobs, "SWEEP_CHUNK", 2)
    result = jobs.watch_deadlines(session, app, clock.now())
    assert result["breaches"] == 2 and result["more"] is True
    breached = session.scalars(select(Deadline.subject_id).where(
        Deadline.breached_at.is_not(None)).order_by(Deadline.subject_id)).all()
    assert breached == [1, 2]  # the longest overdue first


@pytest.mark.commits  # counts the runner's real commits
def test_runner_commits_each_chunk_until_the_backlog_is_done(app, clock, monkeypatch):
    _overdue(app, clock, 5)
    monkeypatch.setattr(jobs, "SWEEP_CHUNK", 2)
    runner = ClockRunner(app, "active")
    assert runner.renew()
    commits = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        result = runner.run(next(j for j in JOBS if j.id == "watch_deadlines"))
    finally:
        event.remove(engine, "commit", listener)
    assert result["breaches"] == 5 and result["more"] is False
    assert len(commits) == 3  # chunks of 2, 2 and 1, each its own transaction
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 5
        assert db.session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.breached_at.is_(None))) == 0
    assert runner.run(next(j for j in JOBS if j.id == "watch_deadlines"))["breaches"] == 0
