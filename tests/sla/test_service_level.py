"""R1, R2: 15-minute rollups, short abandons, recomputation, alerts, reports."""

from datetime import timedelta

from sqlalchemy import select

from hotline.notifications.models import Notification
from sla.models import ServiceLevelInterval
from sla.ports import CallFact
from sla.service_level import (LevelSettings, interval_start, recompute_interval, rollup,
                               rollup_recent, summary, waiting_longer_than)

S = LevelSettings(threshold_seconds=12, short_abandon_seconds=5, target=0.8)


def fact(i, entered, *, answer=None, end=None, outcome=None, line="hotline"):
    return CallFact(i, entered - timedelta(seconds=30), entered,
                    entered + timedelta(seconds=answer) if answer is not None else None,
                    entered + timedelta(seconds=end) if end is not None else None, outcome, line)


def test_rollup_counts(clock):
    t = clock.now()
    r = rollup([
        fact(1, t, answer=12, end=100, outcome="answered"),  # exactly 12 s: within (R1)
        fact(2, t, answer=13, end=100, outcome="answered"),
        fact(3, t, end=4.9, outcome="abandoned"),  # short abandon, not offered (R2)
        fact(4, t, end=40, outcome="abandoned"),
        fact(5, t, end=60, outcome="callback"),
        fact(6, t),  # still waiting: not counted yet
    ], S)
    assert (r.offered, r.answered, r.answered_in_threshold, r.abandoned, r.short_abandoned) == \
        (4, 2, 1, 1, 1)
    assert r.longest_wait_seconds == 60 and r.wait_seconds_total == 12 + 13 + 40 + 60
    assert r.service_level == 0.25 and r.answer_rate == 0.5


def test_interval_start_floors_to_quarter_hours(clock):
    assert interval_start(clock.now() + timedelta(minutes=29, seconds=59)) == \
        clock.now() + timedelta(minutes=15)


def test_recompute_replaces_the_row(app, session, clock, calls):
    t = clock.now()
    calls.facts.append(fact(1, t + timedelta(minutes=1), answer=5))
    recompute_interval(session, calls, t, t, S)
    calls.facts.append(fact(2, t + timedelta(minutes=2), answer=30))  # a late webhook
    rows = recompute_interval(session, calls, t + timedelta(minutes=3), t, S)
    stored = session.scalars(select(ServiceLevelInterval)).all()
    assert len(stored) == 1 and stored[0] is rows["hotline"]
    assert (stored[0].offered, stored[0].answered_in_threshold) == (2, 1)


def test_rollup_recent_alerts_once_per_finished_interval(app, session, clock, calls):
    t = clock.now()
    calls.facts += [fact(1, t, answer=30), fact(2, t + timedelta(minutes=1), answer=40),
                    fact(3, t + timedelta(minutes=16), answer=2)]
    rollup_recent(session, calls, t + timedelta(minutes=20), S)
    rollup_recent(session, calls, t + timedelta(minutes=21), S)
    alerts = session.scalars(select(Notification)).all()
    assert [a.dedupe_key for a in alerts] == [f"service-level:hotline:{t.isoformat()}"]
    assert alerts[0].recipient_role == "supervisor"
    total = summary(session, t, t + timedelta(hours=1))
    assert (total.offered, total.answered_in_threshold) == (3, 1)


def test_rollup_recent_catches_up_after_downtime(app, session, clock, calls):
    t = clock.now()
    calls.facts.append(fact(1, t, answer=3))
    rollup_recent(session, calls, t, S)
    calls.facts.append(fact(2, t + timedelta(hours=5), answer=3))
    count = rollup_recent(session, calls, t + timedelta(hours=6), S)
    assert count == 6 * 4 + 1
    assert summary(session, t, t + timedelta(days=1)).offered == 2


def test_waiting_longer_than_threshold(app, session, clock, calls):
    t = clock.now()
    calls.facts += [fact(1, t - timedelta(seconds=20)), fact(2, t - timedelta(seconds=5)),
                    fact(3, t - timedelta(seconds=50), answer=3)]
    waiting = waiting_longer_than(session, calls, t, 12)
    assert [w.call_id for w in waiting] == [1]
    assert waiting_longer_than(session, None, t, 12) is None


def test_r2_interval_below_the_answer_rate_target_alerts_supervisors(app, session, clock,
                                                                      calls):
    """R2: 98 % for the hotline. 1 answered of 2 offered (an abandon after 20 s) alerts on
    the answer rate even though the answered call met the 12 s service level."""
    t = clock.now()
    settings = LevelSettings(target=0.0)
    calls.facts += [fact(1, t, answer=3), fact(2, t + timedelta(minutes=1), end=20, outcome="abandoned")]
    rollup_recent(session, calls, t + timedelta(minutes=20), settings)
    keys = [a.dedupe_key for a in session.scalars(select(Notification))]
    assert keys == [f"answer-rate:hotline:{t.isoformat()}"]
    alert = session.scalar(select(Notification))
    assert "50%" in alert.title and "98%" in alert.title and "10:00" in alert.title


def test_r2_other_lines_have_their_own_targets(app, session, clock, calls):
    """R2: 95 % for other lines: 19 of 20 answered passes there, fails on the hotline."""
    t = clock.now()
    settings = LevelSettings(target=0.0)
    for line in ("hotline", "repair"):
        calls.facts += [fact(i, t + timedelta(seconds=i), answer=3, line=line)
                        for i in range(19)]
        calls.facts.append(fact(99, t + timedelta(seconds=30), end=40, outcome="abandoned",
                                line=line))
    rollup_recent(session, calls, t + timedelta(minutes=20), settings)
    keys = {a.dedupe_key for a in session.scalars(select(Notification))}
    assert keys == {f"answer-rate:hotline:{t.isoformat()}"}


def test_r2_a_day_below_target_alerts_once(app, session, clock, calls):
    t = clock.now()  # Tue 24 Nov 10:00 local
    settings = LevelSettings()
    calls.facts += [fact(1, t, answer=30), fact(2, t + timedelta(hours=1), answer=3)]
    rollup_recent(session, calls, t + timedelta(minutes=20), settings)
    rollup_recent(session, calls, t + timedelta(hours=2), settings)
    assert not [a for a in session.scalars(select(Notification))
                if a.dedupe_key.endswith(":2026-11-24")]
    next_morning = t + timedelta(hours=15)  # Wed 01:00 local
    rollup_recent(session, calls, next_morning, settings)
    rollup_recent(session, calls, next_morning + timedelta(minutes=1), settings)
    day_keys = sorted(a.dedupe_key for a in session.scalars(select(Notification))
                      if a.dedupe_key.endswith(":2026-11-24"))
    assert day_keys == ["service-level-day:hotline:2026-11-24"]
