"""Database base types shared by every package: the declarative base with a constraint
naming convention, an aware-UTC datetime type, and SQLite connection tuning."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
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
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_transaction(connection, name) -> None:
    """A savepoint must sit inside the request's transaction. Python's sqlite3 opens that
    transaction only at the first INSERT/UPDATE/DELETE, so a SAVEPOINT issued after mere
    reads would open one of its own, and releasing it would COMMIT everything at once,
    before the boundary decides (and a later rollback would undo nothing). Open the
    transaction first; IMMEDIATE takes the write lock now (waiting on busy_timeout), since
    a savepoint is there to write, so no other writer can slip in between our reads and
    our first write."""
    raw = connection.connection.dbapi_connection
    if type(raw).__module__.startswith("sqlite3") and not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


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
