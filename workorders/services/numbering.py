"""Work-order numbers, unique under concurrency: one atomic UPDATE … RETURNING on a per-day
counter row (the row lock orders concurrent writers); the first order of a day inserts the
row inside a savepoint and retries the UPDATE if another writer inserted it first."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.models import DayCounter
from workorders.rules.numbers import format_number


def next_number(session: Session, now: datetime, zone: ZoneInfo) -> str:
    day = now.astimezone(zone).date()
    for _attempt in range(5):
        bumped = session.execute(
            update(DayCounter).where(DayCounter.day == day)
            .values(last=DayCounter.last + 1).returning(DayCounter.last)
            .execution_options(synchronize_session=False)
        ).scalar()
        if bumped is not None:
            return format_number(day, bumped)
        try:
            with session.begin_nested():
                session.add(DayCounter(day=day, last=1))
            return format_number(day, 1)
        except IntegrityError:
            continue  # another writer created today's row: bump it instead
    raise RuntimeError("could not allocate a work-order number")
