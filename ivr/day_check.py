"""After a simulated day (`ivr.day_sim`): each answered call's R1 answer time as the
wallboard computes it (the SLA engine's call source: from the moment the caller was really
queued to the bridge request) against the QueueTime Twilio reported at the bridge; and what
the agents' states recorded."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.models import AgentStateChange, Call
from ivr.sla_source import IvrCallSource

TOLERANCE = 1.0  # seconds (DESIGN.md, Telephony: the two agree within a second)


@dataclass(frozen=True)
class AnswerCheck:
    call_sid: str
    wallboard_seconds: float  # R1 as the wallboard counts it
    twilio_queue_time: int  # Twilio's whole seconds

    @property
    def difference(self) -> float:
        return abs(self.wallboard_seconds - self.twilio_queue_time)


@dataclass
class DayReport:
    checks: list[AnswerCheck] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # bridged, but not on the wallboard
    outcomes: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)  # agent state changes by state
    breaks: Counter = field(default_factory=Counter)  # breaks by reason

    @property
    def max_difference(self) -> float:
        return max((c.difference for c in self.checks), default=0.0)

    @property
    def over_tolerance(self) -> list[AnswerCheck]:
        return [c for c in self.checks if c.difference > TOLERANCE]


def check_day(session: Session, queue_times: dict[str, int], start: datetime,
              end: datetime) -> DayReport:
    """`queue_times`: call SID -> the QueueTime Twilio gave at the bridge, for every call
    the simulation bridged to an agent; `start`/`end`: the simulated day."""
    report = DayReport()
    ids = dict(session.execute(select(Call.id, Call.call_sid).where(
        Call.call_sid.in_(list(queue_times)))).all()) if queue_times else {}
    facts = {f.call_id: f for f in IvrCallSource().offered_between(
        session, start, end + timedelta(hours=6))}
    seen = set()
    for call_id, sid in ids.items():
        fact = facts.get(call_id)
        if fact is None or fact.answered_at is None:
            continue
        seen.add(sid)
        r1 = (fact.answered_at - fact.entered_queue_at).total_seconds()
        report.checks.append(AnswerCheck(sid, r1, queue_times[sid]))
    report.missing = sorted(set(queue_times) - seen)
    report.outcomes = Counter(o or "none" for o in session.scalars(
        select(Call.outcome).where(Call.started_at >= start, Call.started_at < end,
                                   Call.call_sid.like("CAsim%"))))
    for state, reason in session.execute(select(
            AgentStateChange.state, AgentStateChange.reason).where(
            AgentStateChange.at >= start, AgentStateChange.at < end + timedelta(hours=6))):
        report.states[state] += 1
        if state == "break":
            report.breaks[reason] += 1
    return report
