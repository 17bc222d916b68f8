"""The SLA engine's CallSource: calls offered to agents and calls waiting now (R1, R2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.directory.phones import masked
from ivr import agent_states
from ivr.calls import waiting_calls
from ivr.models import Call
from sla.ports import AgentStateFact, CallFact


def _fact(call: Call) -> CallFact:
    return CallFact(call_id=call.id, started_at=call.started_at,
                    entered_queue_at=call.entered_queue_at, answered_at=call.answered_at,
                    ended_at=call.ended_at, outcome=call.outcome,
                    caller=masked(call.from_number))


class IvrCallSource:
    def offered_between(self, session: Session, start: datetime,
                        end: datetime) -> Iterable[CallFact]:
        # Plain rows, not Call objects: the rollup reads every call of an interval (a day's
        # catch-up reads all 200,000), and loading entities cost 2/3 of the job.
        stmt = (select(Call.id, Call.started_at, Call.entered_queue_at, Call.answered_at,
                       Call.ended_at, Call.outcome, Call.from_number)
                .where(Call.entered_queue_at >= start, Call.entered_queue_at < end)
                .order_by(Call.entered_queue_at, Call.id))
        for row in session.execute(stmt):
            yield CallFact(call_id=row.id, started_at=row.started_at,
                           entered_queue_at=row.entered_queue_at, answered_at=row.answered_at,
                           ended_at=row.ended_at, outcome=row.outcome,
                           caller=masked(row.from_number))

    def waiting(self, session: Session, now: datetime) -> list[CallFact]:
        return [_fact(c) for c in waiting_calls(session) if c.entered_queue_at <= now]


def agent_board(session: Session, now: datetime) -> list[AgentStateFact]:
    """The sla AgentBoard port: each signed-in agent's state and since when."""
    facts = []
    for row in agent_states.board(session, now, agent_states.wrap_up_of(current_app.config)):
        label = str(agent_states.STATE_LABELS[row.state])
        if row.reason in agent_states.REASON_LABELS:
            label = f"{label} ({agent_states.REASON_LABELS[row.reason]})"
        facts.append(AgentStateFact(row.name, row.state, label, row.since))
    return facts
