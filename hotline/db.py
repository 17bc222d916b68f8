"""Database base types shared by every package: the declarative base with a constraint
naming convention, an aware-UTC datetime type, and SQLite connection tuning."""

from __future__ import annotations

import os
import threading
import weakref
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and returns them aware.

    Naive values are refused: a naive time is ambiguous between the utility's local zone
    and UTC, and guessing wrong moves a deadline by eight hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass an aware datetime (UTC)")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            # SQLite keeps text; a fixed-width naive UTC string sorts and compares correctly.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:  # pragma: no cover - trivial
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue
    # instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoint the WAL every ~40 MB rather than every ~4 MB: the calls table's indexes
    # (random CallSids and caller numbers) dirty pages all over the file, and a page
    # written many times between checkpoints is copied back once.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


LIKE_ESCAPE = "\\"
# Page numbers come from requests: an OFFSET past this is past every table anyway, and
# PostgreSQL refuses one beyond its 64-bit range (a 500 for `?page=10**18`).
MAX_OFFSET = 2**40


def safe_offset(offset: int) -> int:
    return max(0, min(offset, MAX_OFFSET))


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with `%` and `_` typed by a person taken
    literally: use it as `column.like(pattern, escape=LIKE_ESCAPE)` (or `ilike`)."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
    return "%" + escaped.replace("_", LIKE_ESCAPE + "_") + "%"


def add_once(session, obj, model, **unique_by):
    """Add `obj` unless a row of `model` with the same unique values exists; return the row.

    Safe under concurrency: the unique constraint decides, inside a savepoint, so two
    processes racing to send the same notice store it exactly once.
    """
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    stmt = select(model).filter_by(**unique_by)
    existing = session.scalar(stmt)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            session.add(obj)
    except IntegrityError:
        existing = session.scalar(stmt)
        if existing is None:
            raise
        return existing, False
    return obj, True


class DriverStatement:
    """A fixed statement compiled once per dialect and run straight on a DBAPI cursor, with
    each parameter through its type's bind processor. For the hottest paths only (the
    voice URL's caller lookup, the batched call inserts): SQLAlchemy's per-execution work
    cost more than the statements themselves, and some statements (multi-row upserts)
    are not in its compiled cache at all. Rows come back as the driver's tuples, so a
    query may select only columns that need no result processing (integers, text)."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def _for(self, dialect) -> tuple:
        if dialect.name not in self._compiled:
            compiled = self.statement.compile(dialect=dialect)
            processors = {compiled.bind_names[bind]: bind.type.bind_processor(dialect)
                          for bind in compiled.binds.values()}
            defaults = dict(compiled.params)
            names = tuple(compiled.positiontup) if compiled.positional else tuple(defaults)
            # Parameters in the order the driver takes them, with their processors and
            # defaults: one pass per execution, nothing looked up twice.
            order = tuple((name, processors.get(name), defaults.get(name)) for name in names)
            self._compiled[dialect.name] = (compiled.string, compiled.positional, order)
        return self._compiled[dialect.name]

    def execute(self, cursor, dialect, params: dict) -> None:
        sql, positional, order = self._for(dialect)
        values = []
        for name, process, default in order:
            value = params.get(name, default)
            values.append(process(value) if process is not None and value is not None
                          else value)
        cursor.execute(sql, values if positional else dict(zip((o[0] for o in order),
                                                                values)))

    def first(self, engine: Engine, **params: object) -> tuple | None:
        reader = thread_reader(engine)
        if reader is None:
            return self._first_pooled(engine, params)
        cursor = reader.cursor()
        try:
            self.execute(cursor, engine.dialect, params)
            row = cursor.fetchone()
        except Exception:
            cursor.close()
            _thread_readers.held.discard(engine)
            raise
        cursor.close()
        return row

    def _first_pooled(self, engine: Engine, params: dict) -> tuple | None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                self.execute(cursor, engine.dialect, params)
                return cursor.fetchone()
            finally:
                cursor.close()
        finally:
            raw.close()


def is_sqlite_file(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


class HeldConnections:
    """DBAPI connections to SQLite files that one user keeps outside the pool, one per
    engine. A SQLite connection is only an open file; a pool checkout and return cost more
    than a short statement, and its page cache is its own.

    Each is taken from the pool once (so the engine's connect hooks ran on it), then
    `pragmas` are applied. Keyed by the engine's pool, weakly: `engine.dispose()` or a
    dropped engine retires it; a forked process opens its own. `get` answers None for
    other databases, and for in-memory SQLite (where a connection is the database): use
    the pool."""

    def __init__(self, *pragmas: str) -> None:
        self._pragmas = pragmas
        self._by_pool: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._pid = os.getpid()

    def get(self, engine: Engine):
        if not is_sqlite_file(engine):
            return None
        if self._pid != os.getpid():
            self._by_pool = weakref.WeakKeyDictionary()  # the parent's are not ours to use
            self._pid = os.getpid()
        connection = self._by_pool.get(engine.pool)
        if connection is None:
            fairy = engine.raw_connection()
            fairy.detach()
            connection = fairy.dbapi_connection
            for pragma in self._pragmas:
                connection.execute(f"PRAGMA {pragma}")
            self._by_pool[engine.pool] = connection
        return connection

    def discard(self, engine: Engine) -> None:
        """Close the connection (after an error); the next `get` opens a fresh one."""
        connection = self._by_pool.pop(engine.pool, None)
        if connection is not None:
            connection.close()


_thread_readers = threading.local()


def thread_reader(engine: Engine):
    """This thread's own connection to a SQLite file, for hot read-only statements (the
    voice URL's caller lookup): no pool lock for gunicorn's threads to contend for. It
    stays in autocommit, so each statement reads the latest committed data and no snapshot
    is held between statements. None: use the pool (see HeldConnections)."""
    held = getattr(_thread_readers, "held", None)
    if held is None:
        held = _thread_readers.held = HeldConnections()
    return held.get(engine)
