"""Two real `hotline clock` processes against one PostgreSQL database: every notification is
sent exactly once, and killing the active clock hands over to the standby. They run on the
test run's database, so the rows are committed and wiped afterwards (`commits`)."""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hotline.extensions import db
from sla import clocks
from sla.deadline_math import Limit
from sla.settings import current_context

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow, pytest.mark.commits]
HOTLINE = str(Path(sys.executable).parent / "hotline")


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_clock_processes(app, schema, tmp_path):
    url = schema.url
    env = {**os.environ, "DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(tmp_path),
           "HOTLINE_CLOCK_TICK_SECONDS": "0.5", "HOTLINE_CLOCK_ROLLUP_SECONDS": "5",
           "HOTLINE_CLOCK_LEASE_SECONDS": "3"}

    def add_clocks(first: int, count: int, spread: float) -> None:
        with app.app_context():
            now = datetime.now(timezone.utc)
            for i in range(count):
                clocks.start_clock(db.session, ("callback", first + i), "reply",
                                   Limit(minutes=0),
                                   now=now + timedelta(seconds=spread * i / count),
                                   ctx=current_context(db.session))
            db.session.commit()

    engine = create_engine(url)

    def scalar(sql: str):
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    add_clocks(1, 20, 3.0)
    logs = {name: open(tmp_path / f"clock-{name}.log", "w") for name in ("a", "b")}
    procs = {name: subprocess.Popen([HOTLINE, "clock", "--holder", name], env=env,
                                    stdout=logs[name], stderr=subprocess.STDOUT)
             for name in ("a", "b")}
    try:
        _wait(lambda: scalar("SELECT count(*) FROM deadlines WHERE breached_at IS NOT NULL")
              == 20, 30, "the first sweeps")
        holder = scalar("SELECT holder FROM clock_leases")
        standby = "b" if holder == "a" else "a"
        procs[holder].send_signal(signal.SIGKILL)  # dies without releasing the lease
        procs[holder].wait(10)
        killed_at = time.monotonic()
        add_clocks(101, 20, 2.0)
        _wait(lambda: scalar("SELECT holder FROM clock_leases") == standby, 60,
              "the standby to take over")
        takeover = time.monotonic() - killed_at
        _wait(lambda: scalar("SELECT count(*) FROM deadlines WHERE breached_at IS NOT NULL")
              == 40, 30, "the standby's sweeps")
        time.sleep(1.5)  # a few more ticks: nothing may be sent twice
        assert takeover < 60
        with engine.connect() as conn:
            per_deadline = conn.execute(text(
                "SELECT d.id, count(n.id) FROM deadlines d LEFT JOIN notifications n "
                "ON n.dedupe_key LIKE 'breach:' || d.id || ':%' GROUP BY d.id")).all()
            total = conn.execute(text("SELECT count(*) FROM notifications")).scalar()
        assert len(per_deadline) == 40
        assert all(count == 1 for _, count in per_deadline), per_deadline
        assert total == 40
        # A clean stop (SIGTERM) gives the lease up at once instead of letting it expire.
        procs[standby].send_signal(signal.SIGTERM)
        assert procs[standby].wait(15) == 0
        assert scalar("SELECT expires_at <= now() FROM clock_leases")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for log in logs.values():
            log.close()
        engine.dispose()
