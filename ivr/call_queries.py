"""Calls for the API and the console lists: filters over the calls table, newest first,
keyset pages (`before` = the last id seen), so a page costs the same at 5,000,000 calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ivr.models import Call

OUTCOMES = ("self_served", "answered", "abandoned", "callback", "voicemail")
MAX_PAGE = 200


@dataclass(frozen=True)
class CallFilter:
    phone: str | None = None  # E.164
    account_id: int | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    agent_id: int | None = None
    # since/until bound when the call entered the agent queue (the calls a service level
    # counts, R1 R2) instead of when it started
    queued: bool = False


def list_calls(session: Session, filters: CallFilter, *, limit: int,
               before: int | None = None) -> tuple[list[Call], int | None]:
    """One page of calls and the cursor of the next page (None on the last)."""
    stmt = select(Call).options(selectinload(Call.agent))
    if filters.phone:
        stmt = stmt.where(Call.from_number == filters.phone)
    if filters.account_id is not None:
        stmt = stmt.where(Call.account_id == filters.account_id)
    if filters.outcome:
        stmt = stmt.where(Call.outcome == filters.outcome)
    moment = Call.entered_queue_at if filters.queued else Call.started_at
    if filters.since is not None:
        stmt = stmt.where(moment >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(moment < filters.until)
    if filters.agent_id is not None:
        stmt = stmt.where(Call.agent_id == filters.agent_id)
    if before is not None:
        stmt = stmt.where(Call.id < before)
    limit = max(1, min(limit, MAX_PAGE))
    rows = list(session.scalars(stmt.order_by(Call.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)
