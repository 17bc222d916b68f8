"""SLA sweep benchmark (DESIGN.md: 1,000,000 orders with 10,000 clocks due: one pass ≤ 1 s on
SQLite and PostgreSQL, cost growing with the due clocks, not with the table).

Builds 1,000,000 work orders (real rows: a department and an owning agent each) and one
deadline each (mostly met, 10,000 running and past due, some running and not yet due) with
INSERT … SELECTs, times one watch pass (breach + warning sweeps in chunks of SWEEP_CHUNK as
the clock runs them, each breach escalated with its real notifications: the supervisors, the
department and the owner — 3 per breach), then deletes 90 % of the closed rows and times the
same pass again: the ratio shows the cost does not follow the closed rows.

    .venv/bin/python benchmarks/sla_sweep.py [--pg postgresql+psycopg://…/test_sla_bench]
                                             [--rows 1000000] [--due 10000]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hotline.app import create_app  # noqa: E402
from hotline.clock import FixedClock  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from sla.jobs import watch_deadlines  # noqa: E402

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
RUNNING_NOT_DUE = 40_000


def fresh_postgres(url: str) -> None:
    base, _, name = url.rpartition("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


ORDERS_PG = """
INSERT INTO work_orders (id, number, version, channel, category_code, priority, status,
  contact_name, contact_phone, street, house_number, landmark, missing_details, description,
  call_sid, recording_url, department_id, routed_by, owner_id, confidential, result,
  return_reason, reopen_count, follow_up_attempts, extension_reason, opened_at, updated_at)
SELECT g, 'WO-B-' || g, 1, 'phone', 'leak', 'normal',
  CASE WHEN g <= :running THEN 'in_progress' ELSE 'closed' END, '来电人', '+8613700000000',
  '人民路', g || '号', '', '', '漏水', '', '', :dept, '', :owner, false, '', '', 0, 0, '',
  timestamptz '2026-10-01 00:00+00', timestamptz '2026-10-01 00:00+00'
FROM generate_series(1, :rows) AS g"""

ORDERS_SQLITE = """
WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :rows)
INSERT INTO work_orders (id, number, version, channel, category_code, priority, status,
  contact_name, contact_phone, street, house_number, landmark, missing_details, description,
  call_sid, recording_url, department_id, routed_by, owner_id, confidential, result,
  return_reason, reopen_count, follow_up_attempts, extension_reason, opened_at, updated_at)
SELECT g, 'WO-B-' || g, 1, 'phone', 'leak', 'normal',
  CASE WHEN g <= :running THEN 'in_progress' ELSE 'closed' END, '来电人', '+8613700000000',
  '人民路', g || '号', '', '', '漏水', '', '', :dept, '', :owner, 0, '', '', 0, 0, '',
  '2026-10-01 00:00:00.000000', '2026-10-01 00:00:00.000000' FROM seq"""


def load_orders(conn, dialect: str, rows: int, due: int) -> None:
    """The deadlines' subjects: real orders of one department, owned by an agent outside it,
    so each breach tells the supervisors, the department and the owner."""
    conn.execute(text("INSERT INTO areas (code, name_zh, name_en, kind) "
                      "VALUES ('B1', '区', 'Area', 'urban')"))
    conn.execute(text("INSERT INTO departments (code, name_zh, name_en, kind, area_id, "
                      "liaison_name, liaison_phone) SELECT 'mai1', '维修', 'Repairs', "
                      "'maintenance', id, '', '' FROM areas"))
    conn.execute(text("INSERT INTO users (username, role, password_hash, display_name, locale,"
                      " phone, created_at, failed_logins, active, absent) VALUES ('bench-agent',"
                      " 'agent', 'x', 'agent', 'zh_CN', '', '2026-10-01', 0, :t, :f)"),
                 {"t": True, "f": False})
    dept = conn.execute(text("SELECT id FROM departments")).scalar()
    owner = conn.execute(text("SELECT id FROM users")).scalar()
    conn.execute(text(ORDERS_PG if dialect == "postgresql" else ORDERS_SQLITE),
                 {"rows": rows, "running": due + RUNNING_NOT_DUE, "dept": dept, "owner": owner})


def load(conn, dialect: str, rows: int, due: int) -> None:
    """Rows 1..due: running, past due; next RUNNING_NOT_DUE: running, due tomorrow;
    the rest: met a month ago. Deadline g belongs to order g."""
    load_orders(conn, dialect, rows, due)
    params = {"rows": rows, "due": due, "running": due + RUNNING_NOT_DUE}
    if dialect == "postgresql":
        conn.execute(text("""
            INSERT INTO deadlines (subject_type, subject_id, kind, rule, limit_minutes,
              warn_ratio, state, started_at, due_at, original_due_at, warn_at, met_at,
              extension_reason)
            SELECT 'work_order', g, 'resolve', 'R18', 1440, 0.8,
              CASE WHEN g <= :running THEN 'running' ELSE 'met' END,
              ts - interval '1 day', ts, ts, ts - interval '4 hours',
              CASE WHEN g <= :running THEN NULL ELSE ts - interval '1 hour' END, ''
            FROM (SELECT g, CASE
                    WHEN g <= :due
                      THEN timestamptz '2026-11-24 02:00+00' - g * interval '1 second'
                    WHEN g <= :running
                      THEN timestamptz '2026-11-25 02:00+00' + g * interval '1 second'
                    ELSE timestamptz '2026-10-24 02:00+00' - g * interval '1 second' END AS ts
                  FROM generate_series(1, :rows) AS g) AS s"""), params)
        return
    fmt = "'%Y-%m-%d %H:%M:%S'"
    conn.execute(text(f"""
        WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :rows),
        s AS (SELECT g, CASE
                WHEN g <= :due THEN datetime('2026-11-24 02:00:00', '-' || g || ' seconds')
                WHEN g <= :running THEN datetime('2026-11-25 02:00:00', '+' || g || ' seconds')
                ELSE datetime('2026-10-24 02:00:00', '-' || g || ' seconds') END AS ts FROM seq)
        INSERT INTO deadlines (subject_type, subject_id, kind, rule, limit_minutes, warn_ratio,
          state, started_at, due_at, original_due_at, warn_at, met_at, extension_reason)
        SELECT 'work_order', g, 'resolve', 'R18', 1440, 0.8,
          CASE WHEN g <= :running THEN 'running' ELSE 'met' END,
          strftime({fmt}, ts, '-1 day') || '.000000', ts || '.000000', ts || '.000000',
          strftime({fmt}, ts, '-4 hours') || '.000000',
          CASE WHEN g <= :running THEN NULL ELSE strftime({fmt}, ts, '-1 hour') || '.000000' END,
          '' FROM s"""), params)


def reset(conn) -> None:
    """Undo a pass: the due clocks are unhandled again, its notifications gone."""
    conn.execute(text("UPDATE deadlines SET breached_at = NULL, escalated_at = NULL, "
                      "warned_at = NULL WHERE state = 'running' AND breached_at IS NOT NULL"))
    conn.execute(text("DELETE FROM notifications"))


def vacuum(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                          else "VACUUM"))
        if engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))


def one_pass(app) -> tuple[float, dict]:
    """One watch pass as the clock runs it: chunk after chunk, each committed."""
    total: dict = {}
    started = time.perf_counter()
    while True:
        with app.app_context():
            result = watch_deadlines(db.session, app, NOW)
            db.session.commit()
            db.session.remove()
        for key, value in result.items():
            if key != "more":
                total[key] = total.get(key, 0) + value
        if not result["more"]:
            break
    return time.perf_counter() - started, total


def timed(app, repeats: int) -> tuple[float, dict]:
    times = []
    result = {}
    for _ in range(repeats):
        with app.app_context():
            with db.engine.begin() as conn:
                reset(conn)
        elapsed, result = one_pass(app)
        times.append(elapsed)
    return statistics.median(times), result


def count(app, sql: str) -> int:
    with app.app_context():
        return db.session.execute(text(sql)).scalar()


def bench(name: str, url: str, rows: int, due: int, repeats: int) -> dict:
    instance = tempfile.mkdtemp(prefix="sla-bench-")
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench",
                      "CLOCK": FixedClock(NOW), "LOG_LEVEL": "WARNING"})
    upgrade(app)
    with app.app_context():
        started = time.perf_counter()
        with db.engine.begin() as conn:
            load(conn, db.engine.dialect.name, rows, due)
        load_seconds = time.perf_counter() - started
        vacuum(db.engine)
    total = count(app, "SELECT count(*) FROM deadlines")
    seconds, result = timed(app, repeats)
    assert result["breaches"] == due, result
    assert result["notices"] == 3 * due, result  # supervisors, department, owner
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM deadlines WHERE state = 'met' AND id % 10 <> 0"))
            conn.execute(text("DELETE FROM work_orders WHERE status = 'closed' AND id % 10 <> 0"))
        vacuum(db.engine)
    small_total = count(app, "SELECT count(*) FROM deadlines")
    small_seconds, small_result = timed(app, repeats)
    assert small_result["breaches"] == due, small_result
    with app.app_context():
        db.engine.dispose()
    return {"db": name, "rows": total, "due": due, "load": load_seconds, "sweep": seconds,
            "notices": result["notices"],
            "small_rows": small_total, "small_sweep": small_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get(
        "HOTLINE_BENCH_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test_sla_bench"))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()

    results = []
    path = os.path.join(tempfile.mkdtemp(prefix="sla-bench-"), "bench.sqlite3")
    results.append(bench("SQLite", f"sqlite:///{path}", args.rows, args.due, args.repeats))
    if not args.no_pg:
        fresh_postgres(args.pg)
        results.append(bench("PostgreSQL", args.pg, args.rows, args.due, args.repeats))

    print()
    print(f"SLA sweep: one watch pass (breach + warning sweeps, {args.due:,} breaches of real "
          f"orders escalated with their notifications), median of {args.repeats}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    header = (f"{'database':<11} {'table rows':>11} {'due':>7} {'load s':>7} {'sweep s':>8} "
              f"{'rows /10':>9} {'sweep s':>8} {'ratio':>6}  target ≤ 1 s")
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = r["sweep"] / r["small_sweep"]
        verdict = "ok" if r["sweep"] <= 1.0 else "MISSED"
        print(f"{r['db']:<11} {r['rows']:>11,} {r['due']:>7,} {r['load']:>7.1f} "
              f"{r['sweep']:>8.3f} {r['small_rows']:>9,} {r['small_sweep']:>8.3f} "
              f"{ratio:>6.2f}  {verdict}  ({r['notices']:,} notices, "
              f"{r['sweep'] / r['due'] * 1e6:.0f} µs per escalation)")
    print("ratio = sweep time on the full table / on the table with 10x fewer closed rows "
          "(≈ 1 means the cost does not grow with closed rows)")


if __name__ == "__main__":
    main()
