"""Two `hotline db upgrade` at once are safe: they take a lock (an advisory lock on
PostgreSQL, a file lock on SQLite); the second waits, then finds the schema up to date."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hotline.app import create_app
from hotline.migrate import alembic_config, upgrade_lock
from tests.conftest import PG_URL
from tests.databases import create_scratch, drop_scratch

# Other connections, threads or processes see its rows: it commits for real.
pytestmark = pytest.mark.commits

HOTLINE = str(Path(sys.executable).parent / "hotline")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need HOTLINE_TEST_POSTGRES_URL")
    url = create_scratch(PG_URL, "hotline_upgrade")
    try:
        yield url
    finally:
        drop_scratch(url)


def start_upgrade(url: str, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(tmp_path)}
    return subprocess.Popen([HOTLINE, "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def heads_applied(url: str, app) -> bool:
    from alembic.script import ScriptDirectory

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            stored = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(app))
    applied = {r.revision for r in script.iterate_revisions(tuple(stored), "base")}
    return bool(stored) and set(script.get_heads()) <= applied


def test_two_upgrades_at_once_both_succeed(empty_database, tmp_path):
    runs = [start_upgrade(empty_database, tmp_path) for _ in range(2)]
    results = [(run.wait(120), run.communicate()) for run in runs]
    for code, (out, err) in results:
        assert code == 0, err
        assert "database is up to date" in out
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": empty_database})
    assert heads_applied(empty_database, app)


def test_a_second_upgrade_waits_for_the_first(empty_database, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": empty_database})
    with upgrade_lock(app):  # the first upgrade, still running
        second = start_upgrade(empty_database, tmp_path)
        waited = ""
        deadline = time.monotonic() + 60
        while "waiting" not in waited and time.monotonic() < deadline:
            line = second.stderr.readline()
            if not line and second.poll() is not None:
                break
            waited += line
        assert "another `hotline db upgrade` is running" in waited
        assert second.poll() is None  # it waits and has migrated nothing
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert heads_applied(empty_database, app)
    with app.app_context():
        from hotline.extensions import db

        db.engine.dispose()
