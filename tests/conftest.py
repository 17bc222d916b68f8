"""Fixtures: the app on SQLite and (when HOTLINE_TEST_POSTGRES_URL is set) PostgreSQL, a
fixed clock, a logged-in client, factories. Each test starts from the migrated schema with
only its seed rows; whatever a test writes is wiped afterwards."""

from __future__ import annotations

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from hotline.app import create_app
from hotline.clock import FixedClock
from hotline.extensions import db
from hotline.migrate import upgrade
from tests.databases import create_scratch, drop_scratch, server_answers

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

_ran = {"sqlite": 0, "postgresql": 0}


def pytest_configure(config):
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


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_PG and session.testscollected and _ran["postgresql"] == 0 and exitstatus == 0:
        print("\nFAILED: no test ran against PostgreSQL although it is required")
        session.exitstatus = 1


class Schema:
    """A migrated database and the seed rows the migrations wrote."""

    def __init__(self, url: str, tmp_path_factory):
        self.url = url
        self.instance = str(tmp_path_factory.mktemp("instance"))
        app = create_app(base_config(url, self.instance, FixedClock(T0)))
        upgrade(app)
        with app.app_context():
            self.tables = [t for t in reversed(db.metadata.sorted_tables)]
            self.seed = {}
            with db.engine.connect() as conn:
                for table in db.metadata.sorted_tables:
                    rows = [dict(r._mapping) for r in conn.execute(table.select())]
                    if rows:
                        self.seed[table.name] = rows
            db.engine.dispose()

    def reset(self, app) -> None:
        with app.app_context():
            engine = db.engine
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    names = ", ".join(f'"{t.name}"' for t in self.tables)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in self.tables:
                        conn.execute(table.delete())
                    conn.execute(text("DELETE FROM sqlite_sequence")) if inspect(
                        conn).has_table("sqlite_sequence") else None
                for table in db.metadata.sorted_tables:
                    if table.name in self.seed:
                        conn.execute(table.insert(), self.seed[table.name])
                if engine.dialect.name == "postgresql":
                    for table in db.metadata.sorted_tables:
                        if table.name in self.seed and "id" in table.c:
                            conn.execute(text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table.name}\"), false)"))


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
    }


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "hotline.sqlite3"
    return Schema(f"sqlite:///{path}", tmp_path_factory)


@pytest.fixture(scope="session")
def postgresql_schema(tmp_path_factory):
    if not PG_URL:
        pytest.skip("PostgreSQL tests need HOTLINE_TEST_POSTGRES_URL")
    url = create_scratch(PG_URL)
    try:
        yield Schema(url, tmp_path_factory)
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
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(schema, backend, clock, app_config):
    config = base_config(schema.url, schema.instance, clock)
    config.update(app_config)
    app = create_app(config)
    _ran[backend] += 1
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
        schema.reset(app)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


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
