"""The injectable clock. Domain code takes `now` as an argument; only request handlers, jobs
and CLI commands ask the app's clock for it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock for tests and simulations: stands still until told to move."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        with self._lock:
            self._now = when.astimezone(timezone.utc)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now = self._now + step
            return self._now


def app_clock(app=None) -> Clock:
    """The clock of the given (or current) Flask app."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["hotline.clock"]


def utcnow() -> datetime:
    """`now` for the edge of the system (handlers, jobs, CLI): the app clock's time."""
    return app_clock().now()
