"""Fixtures: the app on SQLite and (when HOTLINE_TEST_POSTGRES_URL is set) PostgreSQL, a
fixed clock, a logged-in client, factories.

One app per database for the whole run (plus one per module configuration, see `app_config`).
Each test starts from the migrated schema with only its seed rows: by default its work is
rolled back at the end; tests marked `commits` commit for real and every table is wiped
and reseeded afterwards (tests/isolation.py)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection

from hotline.app import create_app
from hotline.auth import services as auth_services
from hotline.clock import FixedClock
from hotline.extensions import db
from hotline.migrate import upgrade
from sla.settings import current_context
from tests.databases import create_scratch, drop_scratch, server_answers
from tests.isolation import AppState, joined, transaction_engine, use_savepoints

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning, local time: a working day.
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
TWILIO_TOKEN = "test-twilio-auth-token"
PUBLIC_URL = "https://hotline.example.test"
REQUIRE_PG = os.environ.get("HOTLINE_REQUIRE_POSTGRES") == "1"
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# The PostgreSQL server to test against (when it answers, `make test` covers both
# databases). Tests never use this database itself: each run creates its own beside it.
PG_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL") or (
    "" if os.environ.get("HOTLINE_TEST_POSTGRES_URL") == "" or not server_answers(LOCAL_PG)
    else LOCAL_PG)

_passed_on_postgresql = 0


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "commits: commits for real (other connections, threads or processes must "
        "see the rows); the tables are wiped and reseeded afterwards instead of a rollback")
    if REQUIRE_PG and not PG_URL:
        pytest.exit("HOTLINE_REQUIRE_POSTGRES=1 but HOTLINE_TEST_POSTGRES_URL is not set",
                    returncode=3)


def pytest_collection_modifyitems(config, items):
    """`sqlite_only` / `postgres_only` tests run on their database alone (deselected, not
    skipped, so a required PostgreSQL run never shows skips)."""
    keep, drop = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("backend")
        if (backend == "postgresql" and item.get_closest_marker("sqlite_only")) or (
                backend == "sqlite" and item.get_closest_marker("postgres_only")):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_runtest_logreport(report):
    """Counts the tests that passed on PostgreSQL (with pytest-xdist, the controller sees
    every worker's reports here)."""
    global _passed_on_postgresql
    params = report.nodeid.rpartition("[")[2] if "[" in report.nodeid else ""
    if report.when == "call" and report.passed and "postgresql" in params.rstrip("]").split("-"):
        _passed_on_postgresql += 1


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the controller checks the whole run
    if REQUIRE_PG and session.testscollected and _passed_on_postgresql == 0 and exitstatus == 0:
        print("\nFAILED: no test ran against PostgreSQL although it is required")
        session.exitstatus = 1


class Schema:
    """A migrated database, the seed rows the migrations wrote, and the apps on it: one with
    the base configuration, one per other plain configuration (`app_config`)."""

    def __init__(self, url: str, tmp_path_factory):
        self.url = url
        self.instance = str(tmp_path_factory.mktemp("instance"))
        self.app = create_app(base_config(url, self.instance, FixedClock(T0)))
        upgrade(self.app)
        with self.app.app_context():
            use_savepoints()
            self.tables = [t for t in reversed(db.metadata.sorted_tables)]
            self.seed = {}
            with db.engine.connect() as conn:
                for table in db.metadata.sorted_tables:
                    rows = [dict(r) for r in conn.execute(table.select()).mappings()]
                    if rows:
                        self.seed[table.name] = rows
        self.apps: dict[tuple, tuple[Flask, AppState]] = {(): (self.app, AppState(self.app))}
        self.engine = transaction_engine(self.app)
        self.outer: Connection | None = None

    def app_for(self, overrides: dict) -> tuple[Flask, AppState, bool]:
        """The app for a configuration: shared (third value True) when the overrides are
        plain values, a new one when they hold objects (a fake HTTP client per test)."""
        key = tuple(sorted(overrides.items()))
        shared = all(isinstance(v, (str, int, float, bool, type(None))) for _, v in key)
        if shared and key in self.apps:
            return (*self.apps[key], True)
        app = create_app({**base_config(self.url, self.instance, FixedClock(T0)), **overrides})
        state = AppState(app)
        if shared:
            self.apps[key] = (app, state)
        return app, state, shared

    def connection(self) -> Connection:
        """The connection that rollback-mode tests run on (one for the whole run)."""
        if self.outer is None or self.outer.closed or self.outer.invalidated:
            self.outer = self.engine.connect()
        return self.outer

    def reset(self, app) -> None:
        """Empty every table and write the seed rows back (after a test that committed).
        DELETE rather than TRUNCATE: on PostgreSQL a TRUNCATE of every table costs about a
        second, a DELETE of a few rows next to nothing. Sequences keep counting, as they do
        after a rollback: tests never depend on the value of an id."""
        with app.app_context():
            with db.engine.begin() as conn:
                for table in self.tables:
                    conn.execute(table.delete())
                if conn.dialect.name == "sqlite" and inspect(conn).has_table("sqlite_sequence"):
                    conn.execute(text("DELETE FROM sqlite_sequence"))
                for table in db.metadata.sorted_tables:
                    if table.name in self.seed:
                        conn.execute(table.insert(), self.seed[table.name])

    def leftovers(self) -> dict[str, int]:
        """Tables whose row count differs from the seed: something a test committed (on a
        connection of its own, without the `commits` marker) outlived it."""
        with self.app.app_context():
            with db.engine.connect() as conn:
                counts = {t.name: conn.scalar(select(func.count()).select_from(t))
                          for t in self.tables}
        return {name: n for name, n in counts.items() if n != len(self.seed.get(name, ()))}

    def close(self) -> None:
        if self.outer is not None:
            self.outer.close()
        self.engine.dispose()
        for app, _ in self.apps.values():
            with app.app_context():
                db.engine.dispose()


def base_config(url: str, instance: str, clock) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "test-secret-key",
        "CLOCK": clock,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "HOTLINE_PUBLIC_URL": PUBLIC_URL,
        "SERVER_NAME": None,
        "LOG_LEVEL": "WARNING",
        # Call records in the request; tests/ivr/test_call_batch.py covers the batches.
        "IVR_CALL_BATCH_SECONDS": 0,
    }


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Production hashes passwords with scrypt (hotline.auth.services.PASSWORD_METHOD),
    about 0.15 s each by design; the tests that create users through the services or load
    the demo would spend seconds on it. A login checks with the method named in the stored
    hash, so every code path is the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth_services, "PASSWORD_METHOD", "pbkdf2:sha256:1")
        yield


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "hotline.sqlite3"
    schema = Schema(f"sqlite:///{path}", tmp_path_factory)
    yield schema
    leftovers = schema.leftovers()
    schema.close()
    assert not leftovers, f"rows outlived their test: {leftovers}"


@pytest.fixture(scope="session")
def postgresql_schema(tmp_path_factory):
    if not PG_URL:
        pytest.skip("PostgreSQL tests need HOTLINE_TEST_POSTGRES_URL")
    url = create_scratch(PG_URL)
    try:
        schema = Schema(url, tmp_path_factory)
        yield schema
        leftovers = schema.leftovers()
        schema.close()
        assert not leftovers, f"rows outlived their test: {leftovers}"
    finally:
        drop_scratch(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL tests need a server (HOTLINE_TEST_POSTGRES_URL)")
    return request.param


@pytest.fixture
def schema(backend, request):
    return request.getfixturevalue(f"{backend}_schema")


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def app_config():
    """Override in a test module (or class) to change the app's configuration. Plain values
    share one app per configuration; objects (fakes) get an app of their own."""
    return {}


@pytest.fixture
def app(schema, clock, app_config, request):
    """The app for this database and configuration, on `clock`, isolated from the other
    tests: rolled back, or wiped and reseeded for tests marked `commits`."""
    app, state, shared = schema.app_for(app_config)
    app.config["CLOCK"] = clock
    app.extensions["hotline.clock"] = clock
    commits = request.node.get_closest_marker("commits") is not None
    try:
        if commits:
            yield app
        else:
            with joined(app, schema.connection()):
                yield app
    finally:
        with app.app_context():
            db.session.remove()
        if commits:
            schema.reset(app)
        state.restore(app)
        if not shared:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def ctx(session):
    """The utility's zone and working calendar, as a handler hands them to the services."""
    return current_context(session)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = "password123"):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


@pytest.fixture
def login_as(client):
    def _login(user, password: str = "password123"):
        response = login(client, user.username, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


# Twilio mode refuses placeholder credentials (hotline.config.check): tests use these.
TWILIO_MODE = {"HOTLINE_TELEPHONY": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
               "TWILIO_PHONE_NUMBER": "+861088886666"}
