"""Outage look-ups shared by the console, the API and the IVR."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.db import safe_offset
from hotline.outages.models import OutageNotice, outage_areas

# How far ahead "upcoming" looks when a caller asks about their area.
UPCOMING_HORIZON = timedelta(days=7)


def active_or_upcoming(session: Session, area_id: int, at: datetime,
                       horizon: timedelta = UPCOMING_HORIZON) -> list[OutageNotice]:
    """Outages in `area_id` that are on at `at` or start within `horizon` of it."""
    stmt = (
        select(OutageNotice)
        .join(outage_areas, outage_areas.c.outage_id == OutageNotice.id)
        .where(
            outage_areas.c.area_id == area_id,
            OutageNotice.status.in_(("scheduled", "active")),
            OutageNotice.expected_end_at > at,
            OutageNotice.start_at <= at + horizon,
        )
        .options(selectinload(OutageNotice.areas), selectinload(OutageNotice.updates))
        .order_by(OutageNotice.start_at)
    )
    return list(session.scalars(stmt))



def list_outages(session: Session, *, area_id: int | None = None, status: str | None = None,
                 at: datetime | None = None, limit: int = 200,
                 offset: int = 0) -> tuple[list[OutageNotice], int]:
    """Outage notices for the console and the API, newest start first. With `at`: only
    those active at that time or starting within the upcoming horizon (R26)."""
    from sqlalchemy import func

    stmt = select(OutageNotice)
    if area_id is not None:
        stmt = stmt.where(OutageNotice.id.in_(
            select(outage_areas.c.outage_id).where(outage_areas.c.area_id == area_id)))
    if status:
        stmt = stmt.where(OutageNotice.status == status)
    if at is not None:
        stmt = stmt.where(OutageNotice.status.in_(("scheduled", "active")),
                          OutageNotice.expected_end_at > at,
                          OutageNotice.start_at <= at + UPCOMING_HORIZON)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(OutageNotice.areas), selectinload(OutageNotice.updates))
        .order_by(OutageNotice.start_at.desc(), OutageNotice.id.desc())
        .limit(limit).offset(safe_offset(offset)))
    return list(rows), total


def outage_counts(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(OutageNotice.status, func.count()).group_by(
        OutageNotice.status))
    counts = {status: 0 for status in ("scheduled", "active", "restored", "cancelled")}
    counts.update({status: n for status, n in rows})
    return counts


def current_outages(session: Session, at: datetime, limit: int = 20) -> list[OutageNotice]:
    """Every active outage and those starting within the horizon (home pages)."""
    rows, _total = list_outages(session, at=at, limit=limit)
    return sorted(rows, key=lambda o: o.start_at)
