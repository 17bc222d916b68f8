"""The first webhook's call records (`/ivr/voice`), written in batches.

Every inbound call starts with one insert. Committed one at a time on SQLite, those inserts
serialise on the single writer and, across gunicorn workers, empty each other's page cache:
at a few hundred calls a second that, not the IVR, sets the voice URL's throughput. So each
process collects the new rows and writes them together after `IVR_CALL_BATCH_SECONDS`
(one transaction per batch; 0 writes each row in its request).

What the delay can cost and why it is safe:
- Reads in this process see a pending call at once: every later webhook for it writes the
  batch first (`write_pending`).
- A later webhook for the call in another worker (Twilio sends the next one only after the
  greeting has been spoken, seconds later) creates the row itself; the batch then merges
  into it (earliest start, the caller's account, "voice" first in the IVR path).
- Rows still pending when a worker stops are written at exit; a worker killed outright
  loses at most one batch of first-webhook rows, which the call's next webhook recreates.
- A batch that fails to write stays pending and is retried with backoff."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from functools import lru_cache

from flask import Flask, current_app
from sqlalchemy import bindparam, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from hotline.db import DriverStatement, HeldConnections
from hotline.extensions import db
from ivr.models import Call
from ivr.write_lock import serialized_writes

log = logging.getLogger(__name__)

_CALLS = Call.__table__
_COLUMNS = tuple(c for c in _CALLS.c if c.name != "id")
# Rows go in as multi-row INSERTs of these sizes: one statement (one SQLite step, one
# release of the GIL) per chunk instead of one per row, with few distinct statements.
CHUNK_SIZES = (32, 8, 2, 1)
MAX_BACKOFF_SECONDS = 30.0
WRITER_CACHE_KIB = 32 * 1024
_MERGES: dict[tuple[str, int], DriverStatement] = {}


def merge_new_calls(dialect_name: str, size: int = 1) -> DriverStatement:
    """INSERT of `size` rows … ON CONFLICT (call_sid) DO UPDATE: a row some later webhook
    created first keeps its progress and gains what only the first webhook knew.
    Parameters are named `r<row>_<column>`."""
    key = (dialect_name, size)
    if key not in _MERGES:
        dialect = postgresql if dialect_name == "postgresql" else sqlite
        insert = dialect.insert(_CALLS).values([
            {c.name: bindparam(f"r{i}_{c.name}", type_=c.type) for c in _COLUMNS}
            for i in range(size)])
        new, old = insert.excluded, _CALLS.c
        _MERGES[key] = DriverStatement(insert.on_conflict_do_update(
            index_elements=[old.call_sid],
            set_={"account_id": func.coalesce(old.account_id, new.account_id),
                  "started_at": case((new.started_at < old.started_at, new.started_at),
                                     else_=old.started_at),
                  "ivr_path": case((old.ivr_path == "", new.ivr_path),
                                   (old.ivr_path == new.ivr_path, old.ivr_path),
                                   (old.ivr_path.startswith(new.ivr_path + ">"),
                                    old.ivr_path),
                                   else_=new.ivr_path + ">" + old.ivr_path)}))
    return _MERGES[key]


def chunks(rows: list[dict]):
    """(size, rows) pieces of the batch, largest first, sizes from CHUNK_SIZES."""
    start = 0
    for size in CHUNK_SIZES:
        while len(rows) - start >= size:
            yield size, rows[start:start + size]
            start += size


@lru_cache(maxsize=None)
def _parameter_names(size: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    """For each row of a chunk, its (parameter, column) names."""
    return tuple(tuple((f"r{i}_{c.name}", c.name) for c in _COLUMNS) for i in range(size))


def chunk_params(rows: list[dict]) -> dict:
    params = {}
    for names, row in zip(_parameter_names(len(rows)), rows):
        for parameter, column in names:
            params[parameter] = row.get(column)
    return params


class CallBatch:
    """Pending first-webhook call rows of this process, by CallSid."""

    def __init__(self, engine: Callable[[], Engine], delay: float) -> None:
        self._engine = engine
        self.delay = delay
        self._pending: dict[str, dict] = {}
        self._in_flight: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._writing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False
        self._failures = 0
        # Writes are serialised (`_writing`), so one connection serves them, with a page
        # cache big enough to keep the calls table's index pages between batches.
        self._connections = HeldConnections(f"cache_size=-{WRITER_CACHE_KIB}")

    def add(self, row: dict) -> None:
        """Queue one call row (see `ivr.calls.new_call_row`); written now if delay is 0."""
        if self.delay <= 0:
            with self._writing:
                self._write([row])
            return
        with self._lock:
            self._pending.setdefault(row["call_sid"], row)
            self._ensure_thread()
            self._wake.notify()

    def is_pending(self, call_sid: str) -> bool:
        return call_sid in self._pending or call_sid in self._in_flight

    def write_pending(self, call_sid: str | None = None) -> int:
        """Write the batch now (if `call_sid` is given, only when that call is in it).
        Returns how many rows were written."""
        if call_sid is not None and not self.is_pending(call_sid):
            return 0
        with self._writing:
            with self._lock:
                rows, self._pending = self._pending, {}
                self._in_flight = rows
            if not rows:
                return 0
            try:
                self._write(list(rows.values()))
            except Exception:
                with self._lock:
                    self._pending = {**rows, **self._pending}
                raise
            finally:
                self._in_flight = {}
            return len(rows)

    def close(self) -> None:
        """Stop the writer thread and write what is pending (at process exit)."""
        with self._lock:
            self._closed = True
            self._wake.notify()
        try:
            self.write_pending()
        except Exception:
            log.exception("could not write %d pending call records at exit",
                          len(self._pending))

    def _write(self, rows: list[dict]) -> None:
        engine = self._engine()
        held = self._connections.get(engine)
        raw = held if held is not None else engine.raw_connection()
        try:
            with serialized_writes(engine):
                cursor = raw.cursor()
                for size, chunk in chunks(rows):
                    merge_new_calls(engine.dialect.name, size).execute(
                        cursor, engine.dialect, chunk_params(chunk))
                cursor.close()
                raw.commit()
        except Exception:
            if held is not None:
                self._connections.discard(engine)
            else:
                raw.rollback()
            raise
        finally:
            if held is None:
                raw.close()

    def _ensure_thread(self) -> None:
        # Started on first use in each process: gunicorn may fork after the app is built.
        if self._thread is not None and self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="ivr-call-batch", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
            time.sleep(self.delay)
            try:
                self.write_pending()
                if self._failures:
                    log.warning("call records written after %d failed attempts",
                                self._failures)
                self._failures = 0
            except Exception:
                self._failures += 1
                wait = min(MAX_BACKOFF_SECONDS, self.delay * 2 ** self._failures)
                # The cause once (a database outage would repeat it every retry).
                log.log(logging.ERROR if self._failures == 1 else logging.DEBUG,
                        "writing %d call records failed; retrying in %.1f s",
                        len(self._pending), wait, exc_info=self._failures == 1)
                time.sleep(wait)


def install(app: Flask) -> None:
    def engine() -> Engine:
        with app.app_context():
            return db.engine

    app.extensions["ivr.call_batch"] = CallBatch(engine, app.config["IVR_CALL_BATCH_SECONDS"])


def current_batch(app: Flask | None = None) -> CallBatch:
    return (app or current_app).extensions["ivr.call_batch"]
