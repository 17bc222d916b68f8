"""Outage look-ups shared by the console, the API and the IVR."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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

