"""Scratch PostgreSQL databases: each test run creates its own and drops it at the end, so
two runs on one machine never touch each other's data (and never a shared database)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def server_answers(url: str) -> bool:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_scratch(url: str, prefix: str = "hotline_test") -> str:
    """A new empty database beside the one `url` names; returns its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_scratch(url: str) -> None:
    name = make_url(url).database
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def unavailable_after_commit(engine):
    """The database goes away the moment a transaction commits: every later statement on
    `engine` fails as if the server had dropped the connection (an outage, a failover).
    Yields a dict whose "committed" turns True at the commit."""
    state = {"committed": False}

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if state["committed"]:
            raise OperationalError(statement, parameters,
                                   Exception("server closed the connection unexpectedly"))

    def went_away(session):
        if not session.in_nested_transaction():  # not a savepoint's release
            state["committed"] = True

    event.listen(engine, "before_cursor_execute", refuse)
    event.listen(Session, "after_commit", went_away)
    try:
        yield state
    finally:
        event.remove(Session, "after_commit", went_away)
        event.remove(engine, "before_cursor_execute", refuse)
