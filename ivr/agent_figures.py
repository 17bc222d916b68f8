"""Per-agent figures of a period (DESIGN.md "People at work"): calls answered, average
handle time (talk plus wrap-up per answered call), average answer speed (R1's answer
seconds of the calls they took), wrap-up and break time. Times in state come from the
recorded state changes (ivr.agent_states), clipped to the period and to `now`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from ivr.agent_states import BREAK, OFFLINE, WRAP_UP
from ivr.models import AgentStateChange, Call


@dataclass(frozen=True)
class AgentFigures:
    user_id: int
    name: str
    answered: int
    average_handle_seconds: float | None  # None: no call answered
    average_answer_seconds: float | None
    wrap_up_seconds: float
    break_seconds: float


def _changes(session: Session, start: datetime, end: datetime) -> list[AgentStateChange]:
    """The changes in [start, end) and, per agent, the last one before `start` (the state
    the period began in)."""
    before = (select(AgentStateChange.user_id, func.max(AgentStateChange.at).label("at"))
              .where(AgentStateChange.at < start).group_by(AgentStateChange.user_id)
              .subquery())
    opening = session.scalars(select(AgentStateChange).join(
        before, (AgentStateChange.user_id == before.c.user_id)
        & (AgentStateChange.at == before.c.at)))
    inside = session.scalars(select(AgentStateChange).where(
        AgentStateChange.at >= start, AgentStateChange.at < end))
    return sorted([*opening, *inside], key=lambda c: (c.user_id, c.at, c.id))


def _time_in_states(changes: list[AgentStateChange], start: datetime, end: datetime,
                    wrap_up: timedelta) -> dict[int, dict[str, float]]:
    seconds: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for n, change in enumerate(changes):
        following = changes[n + 1] if n + 1 < len(changes) else None
        stop = following.at if following and following.user_id == change.user_id else end
        if change.state == WRAP_UP:  # a wrap-up ends by itself after the seconds
            stop = min(stop, change.at + wrap_up)
        begin, stop = max(change.at, start), min(stop, end)
        if stop > begin:
            seconds[change.user_id][change.state] += (stop - begin).total_seconds()
    return seconds


def agent_figures(session: Session, start: datetime, end: datetime, *, now: datetime,
                  wrap_up: timedelta) -> list[AgentFigures]:
    """Every agent who answered a call or was signed in (not offline) during [start, end),
    by name."""
    end = min(end, now)
    states = _time_in_states(_changes(session, start, end), start, end, wrap_up)
    answered: dict[int, list[Call]] = defaultdict(list)
    for call in session.scalars(select(Call).where(
            Call.agent_id.is_not(None), Call.answered_at >= start, Call.answered_at < end)):
        answered[call.agent_id].append(call)
    ids = {u for u, by_state in states.items()
           if any(v > 0 for k, v in by_state.items() if k != OFFLINE)} | set(answered)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} \
        if ids else {}
    rows = []
    for user_id in ids:
        taken = answered.get(user_id, [])
        wrap = states[user_id][WRAP_UP] if user_id in states else 0.0
        talk = sum((c.ended_at - c.answered_at).total_seconds() for c in taken
                   if c.ended_at is not None)
        speeds = [c.answer_seconds for c in taken if c.answer_seconds is not None]
        user = users.get(user_id)
        rows.append(AgentFigures(
            user_id, (user.display_name or user.username) if user else str(user_id),
            len(taken), (talk + wrap) / len(taken) if taken else None,
            sum(speeds) / len(speeds) if speeds else None, wrap,
            states[user_id][BREAK] if user_id in states else 0.0))
    return sorted(rows, key=lambda r: r.name)
