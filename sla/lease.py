"""The clock lease: exactly one clock process is active. Taking or renewing the lease is one
conditional UPDATE (it succeeds for the holder, or for anyone once the lease expired), so two
processes can never both believe they hold it; the first lease row is inserted once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, or_, update
from sqlalchemy.orm import Session

from hotline.db import add_once
from sla.models import ClockLease

CLOCK = "clock"


def acquire(session: Session, holder: str, now: datetime, ttl: timedelta,
            name: str = CLOCK) -> bool:
    """Take or renew the lease; True when `holder` holds it until now + ttl."""
    result = session.execute(
        update(ClockLease)
        .where(ClockLease.name == name,
               or_(ClockLease.holder == holder, ClockLease.expires_at <= now))
        .values(holder=holder, expires_at=now + ttl,
                acquired_at=case((ClockLease.holder == holder, ClockLease.acquired_at),
                                 else_=now))
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        return True
    _, created = add_once(session, ClockLease(name=name, holder=holder, acquired_at=now,
                                              expires_at=now + ttl), ClockLease, name=name)
    return created


def release(session: Session, holder: str, now: datetime, name: str = CLOCK) -> bool:
    """Give the lease up at once (a clean shutdown), so the standby need not wait."""
    result = session.execute(
        update(ClockLease).where(ClockLease.name == name, ClockLease.holder == holder)
        .values(expires_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def current(session: Session, name: str = CLOCK) -> ClockLease | None:
    return session.get(ClockLease, name)
