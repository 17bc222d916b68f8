"""How tests stay out of each other's way on one app per database.

Rollback (the default): the test runs inside one transaction on one connection, rolled back
afterwards. This is SQLAlchemy's "Joining a Session into an External Transaction" recipe,
adapted to Flask-SQLAlchemy: its `Session.get_bind` answers from `db.engines` and ignores a
`bind` given to the session, so the app's entry in `db.engines` is the connection for the
test's duration (as Flask-SQLAlchemy's maintainers suggest, pallets-eco/flask-sqlalchemy
#1171), and `db.session` runs with `join_transaction_mode="create_savepoint"`: each commit
releases a SAVEPOINT and each rollback returns to one, the outer transaction never ends.
Everything that asks `db.engine` for its bind (the session, `Session(db.engine)`) shares
that connection and sees the test's rows.

Commits (`@pytest.mark.commits`): for tests whose rows another connection, thread or
process must see. They commit for real; every table is emptied and the migrations' seed
rows are written back afterwards (`Schema.reset`).

Either way the app's configuration and registries (`app.extensions`) are put back as
`create_app` left them, so a test's fakes and per-process caches never reach the next test.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

from hotline.extensions import db


def transaction_engine(app: Flask) -> Engine:
    """An engine for the tests' outer transactions, on the app's database.

    pysqlite opens a transaction only before an INSERT/UPDATE/DELETE, and a SAVEPOINT outside
    one starts a transaction of its own that RELEASE commits: the test's rows would outlive
    the rollback. SQLAlchemy's documented fix (SQLite dialect, "Serializable isolation /
    Savepoints / Transactional DDL"): the driver leaves transactions alone and BEGIN is
    emitted when SQLAlchemy begins one. Only this engine is changed; the app's own engine
    (commits-mode tests, other threads) behaves as in production.
    """
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                           **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _driver_leaves_transactions_alone(dbapi_connection, connection_record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def joined(app: Flask, connection: Connection):
    """Run the app's database work inside one transaction on `connection`, rolled back at
    the end."""
    transaction = connection.begin()
    with app.app_context():
        engines = db.engines
    engine = engines[None]
    engines[None] = connection  # type: ignore[index]
    try:
        yield connection
    finally:
        engines[None] = engine  # type: ignore[index]
        if transaction.is_active:
            transaction.rollback()


def use_savepoints() -> None:
    """`db.session` joins a connection's transaction with a SAVEPOINT per session transaction.
    Only matters where the bind is a connection (rollback mode); an engine bind (commits
    mode, production) ignores it. Call in a fresh app context: a session that already
    exists would keep its old configuration."""
    db.session.configure(join_transaction_mode="create_savepoint")


class AppState:
    """The app's configuration and registries as `create_app` left them.

    Values in `app.extensions` are put back by identity; the contents of the containers
    among them (lists, dicts, sets, and the container fields of dataclasses such as the
    SLA ports) are put back in place, so fakes registered by one test and caches filled by
    it (greetings, catalogs) are gone for the next."""

    def __init__(self, app: Flask):
        self.config = dict(app.config)
        self.extensions = dict(app.extensions)
        self.contents = {key: _contents(value) for key, value in self.extensions.items()}

    def restore(self, app: Flask) -> None:
        app.config.clear()
        app.config.update(self.config)
        for key in [k for k in app.extensions if k not in self.extensions]:
            del app.extensions[key]
        app.extensions.update(self.extensions)
        for key, saved in self.contents.items():
            _put_back(self.extensions[key], saved)


_CONTAINERS = (list, dict, set)
_DEPTH = 4  # the registry holds ports (dataclasses) in a dict: a few levels are enough


def _copy(value: Any) -> Any:
    return type(value)(value) if type(value) in _CONTAINERS else value


def _is_dataclass(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _contents(value: Any, depth: int = 0) -> Any:
    """What to put back: a container's items (and, inside, the contents of the dataclass
    objects it holds), or a dataclass object's fields, recursively."""
    if depth > _DEPTH:
        return None
    if type(value) in _CONTAINERS:
        items = (value.items() if isinstance(value, dict) else
                 enumerate(value) if isinstance(value, list) else ())
        nested = {k: _contents(v, depth + 1) for k, v in items
                  if _is_dataclass(v) or type(v) in _CONTAINERS}
        return ("container", _copy(value), nested)
    if _is_dataclass(value):
        return ("dataclass", {f.name: (getattr(value, f.name),
                                       _contents(getattr(value, f.name), depth + 1))
                              for f in dataclasses.fields(value)})
    return None


def _refill(container: Any, saved: Any) -> None:
    if isinstance(container, list):
        container[:] = saved
    else:
        container.clear()
        container.update(saved)


def _put_back(value: Any, saved: Any) -> None:
    if saved is None:
        return
    if saved[0] == "container":
        _kind, items, nested = saved
        _refill(value, items)
        for key, inner in nested.items():
            _put_back(value[key], inner)
        return
    for name, (original, inner) in saved[1].items():
        if getattr(value, name) is not original:
            object.__setattr__(value, name, original)  # a frozen one cannot have changed
        _put_back(original, inner)
