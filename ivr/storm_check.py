"""Checks of the call storm (ivr.storm) against the database: every call the storm made has
its record, and the record says what happened."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from ivr.models import Call
from ivr.storm import StormCall


def check_records(session: Session, calls: list[StormCall]) -> list[str]:
    """Every call the storm made has exactly one record, with its start (between the first
    request and its answer), the caller's account, the IVR path it walked, its outcome, its
    end and duration, and for queued calls the answer by the agent. Returns the problems."""
    problems = []
    by_sid = {}
    sids = [c.sid for c in calls]
    for chunk in range(0, len(sids), 500):
        for row in session.scalars(select(Call).where(
                Call.call_sid.in_(sids[chunk:chunk + 500]))):
            by_sid[row.call_sid] = row
    agent_ids = {u.username: u.id for u in session.scalars(select(User))}
    slack = timedelta(seconds=1)
    for call in calls:
        row = by_sid.get(call.sid)
        if call.failed or not call.finished:
            problems.append(f"{call.sid}: the script did not finish ({call.failed})")
            continue
        if row is None:
            problems.append(f"{call.sid}: no record")
            continue
        queued = call.scenario == "queue"
        expected = {
            "from_number": call.phone, "direction": "inbound", "language": "zh",
            "account_id": call.account_id, "ivr_path": call.expected_path,
            "status": "completed", "duration_seconds": call.duration,
            "outcome": "answered" if queued else "self_served",
            "agent_id": agent_ids.get(call.data.agent) if queued else None,
        }
        for key, value in expected.items():
            if getattr(row, key) != value:
                problems.append(f"{call.sid} ({call.scenario}): {key} is "
                                f"{getattr(row, key)!r}, expected {value!r}")
        if not (call.first_sent - slack <= row.started_at <= call.first_answered + slack):
            problems.append(f"{call.sid}: started_at {row.started_at} is not when the "
                            f"first webhook was served ({call.first_sent})")
        if row.ended_at is None or row.ended_at < row.started_at:
            problems.append(f"{call.sid}: ended_at {row.ended_at}")
        if queued and (row.entered_queue_at is None or row.answered_at is None
                       or row.answer_seconds is None or row.answer_seconds < 0):
            problems.append(f"{call.sid}: queue times {row.entered_queue_at}, "
                            f"{row.answered_at}, {row.answer_seconds}")
    return problems
