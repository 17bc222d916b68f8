"""Connections held outside the pool (hotline.db): the caller lookup's per-thread readers
and the call batch's writer, and the precompiled statements run on them."""

import threading

import pytest
from sqlalchemy import bindparam, create_engine, select, text

from hotline.db import DriverStatement, HeldConnections, is_sqlite_file, thread_reader
from hotline.directory.models import CustomerAccount, CustomerPhone
from hotline.extensions import db
from tests.factories import make_customer

# Held connections are connections of their own: they see only committed rows.
pytestmark = pytest.mark.commits


def _engine(app):
    with app.app_context():
        return db.engine


def test_only_sqlite_files_hold_connections(tmp_path):
    assert is_sqlite_file(create_engine(f"sqlite:///{tmp_path}/x.db"))
    assert not is_sqlite_file(create_engine("sqlite://"))
    assert not is_sqlite_file(create_engine("sqlite:///:memory:"))
    assert not is_sqlite_file(create_engine("postgresql://localhost/x"))
    assert thread_reader(create_engine("sqlite://")) is None


@pytest.mark.sqlite_only
def test_a_thread_keeps_its_reader_and_other_threads_get_their_own(app):
    engine = _engine(app)
    mine = thread_reader(engine)
    assert thread_reader(engine) is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(thread_reader(engine)))
    thread.start()
    thread.join()
    assert theirs[0] is not None and theirs[0] is not mine


@pytest.mark.sqlite_only
def test_disposing_the_engine_retires_the_reader(app):
    engine = _engine(app)
    before = thread_reader(engine)
    engine.dispose()
    assert thread_reader(engine) is not before


@pytest.mark.sqlite_only
def test_held_connections_apply_their_pragmas_and_the_engines_hooks(app):
    engine = _engine(app)
    held = HeldConnections("cache_size=-4096")
    connection = held.get(engine)
    assert connection.execute("PRAGMA cache_size").fetchone()[0] == -4096
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # connect hook
    assert held.get(engine) is connection
    held.discard(engine)
    assert held.get(engine) is not connection


_ACCOUNT_BY_PHONE = DriverStatement(
    select(CustomerAccount.account_number).join(CustomerPhone)
    .where(CustomerPhone.e164 == bindparam("e164")).limit(1))


def test_a_reader_sees_what_was_committed_after_its_last_read(app, session):
    """No snapshot is held between statements: a number added after a lookup is found by
    the next one (on PostgreSQL the pool serves the statement)."""
    engine = _engine(app)
    assert _ACCOUNT_BY_PHONE.first(engine, e164="+8613911112222") is None
    account = make_customer(session, phones=("+8613911112222",))
    session.commit()
    assert _ACCOUNT_BY_PHONE.first(engine, e164="+8613911112222") == (
        account.account_number,)


@pytest.mark.sqlite_only
def test_a_failed_statement_replaces_the_threads_reader(app):
    engine = _engine(app)
    reader = thread_reader(engine)
    broken = DriverStatement(text("SELECT * FROM no_such_table WHERE x = :x")
                             .bindparams(bindparam("x")))
    with pytest.raises(Exception, match="no_such_table"):
        broken.first(engine, x=1)
    assert thread_reader(engine) is not reader
    assert _ACCOUNT_BY_PHONE.first(engine, e164="+8600000000000") is None
