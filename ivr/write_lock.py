"""Serialises webhook writes on SQLite. SQLite allows one writer; a busy writer waits in
SQLite's busy handler, which polls with sleeps of up to 100 ms. Under a burst of status
callbacks from several gunicorn workers those sleeps, not the work, set the throughput.
A blocking file lock (and a thread lock inside the process) hands the write over as soon as
the previous one commits. PostgreSQL needs none of this."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

_thread_locks: dict[str, threading.Lock] = {}
_files: dict[str, int] = {}
_guard = threading.Lock()


def _lock_for(path: str) -> tuple[threading.Lock, int]:
    with _guard:
        if path not in _thread_locks:
            _thread_locks[path] = threading.Lock()
            _files[path] = os.open(path + ".writelock", os.O_RDWR | os.O_CREAT, 0o600)
        return _thread_locks[path], _files[path]


@contextmanager
def serialized_writes(target: Session | Connection | Engine) -> Iterator[None]:
    """Hold around the request's writes and its commit (keep the section short)."""
    bind = (target if isinstance(target, Engine) else
            target.engine if isinstance(target, Connection) else target.get_bind())
    database = bind.url.database if bind.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    thread_lock, fd = _lock_for(os.path.abspath(database))
    with thread_lock:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
