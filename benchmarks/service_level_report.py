"""Service-level report benchmark (DESIGN.md: a report over 5,000,000 calls ≤ 200 ms).

Builds 5,000,000 synthetic queued calls over a year in a scratch table, rolls them up into
15-minute `service_level_intervals` rows with one INSERT … SELECT, then times the report
(`sla.service_level.summary`) for one month and for the whole year against the baseline of
the same figures aggregated straight from the 5,000,000 call rows, in the same run.

    .venv/bin/python benchmarks/service_level_report.py [--calls 5000000] [--no-pg]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone

from sqlalchemy import create_engine, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hotline.app import create_app  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from sla.service_level import summary  # noqa: E402

YEAR_START = datetime(2025, 11, 24, tzinfo=timezone.utc)
YEAR_END = datetime(2026, 11, 24, tzinfo=timezone.utc)
MONTH = (datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc))
SECONDS = int((YEAR_END - YEAR_START).total_seconds())


def fresh_postgres(url: str) -> None:
    base, _, name = url.rpartition("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(conn, dialect: str, calls: int) -> None:
    """Calls spread evenly over the year; wait 0–39 s; every 10th abandoned."""
    if dialect == "postgresql":
        conn.execute(text("""
            CREATE TABLE bench_calls AS
            SELECT g AS id,
                   timestamptz '2025-11-24 00:00+00'
                     + (g::bigint * :span / :calls) * interval '1 second' AS entered_at,
                   (g::bigint * 7919) % 40 AS wait_s, g % 10 = 0 AS abandoned
            FROM generate_series(1, :calls) AS g"""), {"calls": calls, "span": SECONDS})
        conn.execute(text("""
            INSERT INTO service_level_intervals (line, starts_at, offered, answered,
              answered_in_threshold, abandoned, short_abandoned, wait_seconds_total,
              longest_wait_seconds, computed_at)
            SELECT 'hotline', date_bin('15 minutes', entered_at, timestamptz '2000-01-01'),
              count(*) FILTER (WHERE NOT abandoned OR wait_s >= 5),
              count(*) FILTER (WHERE NOT abandoned),
              count(*) FILTER (WHERE NOT abandoned AND wait_s <= 12),
              count(*) FILTER (WHERE abandoned AND wait_s >= 5),
              count(*) FILTER (WHERE abandoned AND wait_s < 5),
              coalesce(sum(wait_s) FILTER (WHERE NOT abandoned OR wait_s >= 5), 0),
              max(wait_s), now()
            FROM bench_calls GROUP BY 2"""))
        return
    conn.execute(text("""
        CREATE TABLE bench_calls AS
        WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :calls)
        SELECT g AS id,
               datetime('2025-11-24 00:00:00', '+' || (g * :span / :calls) || ' seconds')
                 || '.000000' AS entered_at,
               (g * 7919) % 40 AS wait_s, g % 10 = 0 AS abandoned FROM seq"""),
                 {"calls": calls, "span": SECONDS})
    conn.execute(text("""
        INSERT INTO service_level_intervals (line, starts_at, offered, answered,
          answered_in_threshold, abandoned, short_abandoned, wait_seconds_total,
          longest_wait_seconds, computed_at)
        SELECT 'hotline', bucket || '.000000',
          sum(NOT abandoned OR wait_s >= 5), sum(NOT abandoned),
          sum(NOT abandoned AND wait_s <= 12), sum(abandoned AND wait_s >= 5),
          sum(abandoned AND wait_s < 5), sum(CASE WHEN NOT abandoned OR wait_s >= 5
                                                  THEN wait_s ELSE 0 END),
          max(wait_s), '2026-11-24 00:00:00.000000'
        FROM (SELECT *, strftime('%Y-%m-%d %H:', entered_at)
                || printf('%02d', (CAST(strftime('%M', entered_at) AS INTEGER) / 15) * 15)
                || '\\:00' AS bucket FROM bench_calls)
        GROUP BY bucket"""))


RAW = text("""SELECT sum(CASE WHEN NOT abandoned OR wait_s >= 5 THEN 1 ELSE 0 END),
                     sum(CASE WHEN NOT abandoned AND wait_s <= 12 THEN 1 ELSE 0 END)
              FROM bench_calls WHERE entered_at >= :start AND entered_at < :end""")


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench(name: str, url: str, calls: int, repeats: int) -> list[tuple]:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp(),
                      "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    upgrade(app)
    rows = []
    with app.app_context():
        with db.engine.begin() as conn:
            build(conn, db.engine.dialect.name, calls)
        sqlite = db.engine.dialect.name == "sqlite"

        def bound(moment):
            return moment.strftime("%Y-%m-%d %H:%M:%S.000000") if sqlite else moment

        for label, (start, end) in (("month", MONTH), ("year", (YEAR_START, YEAR_END))):
            report_s, report = timed(lambda: summary(db.session, start, end), repeats)
            raw_s, raw = timed(lambda: db.session.execute(
                RAW, {"start": bound(start), "end": bound(end)}).one(), repeats)
            assert (report.offered, report.answered_in_threshold) == (int(raw[0]), int(raw[1])), \
                (report, raw)
            rows.append((name, label, report.offered, report_s, raw_s))
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get(
        "HOTLINE_BENCH_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test_sla_bench"))
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    path = os.path.join(tempfile.mkdtemp(prefix="sl-bench-"), "bench.sqlite3")
    results = bench("SQLite", f"sqlite:///{path}", args.calls, args.repeats)
    if not args.no_pg:
        fresh_postgres(args.pg)
        results += bench("PostgreSQL", args.pg, args.calls, args.repeats)
    print()
    print(f"Service-level report over {args.calls:,} calls (median of {args.repeats})")
    header = (f"{'database':<11} {'period':<6} {'offered':>10} {'report ms':>10} "
              f"{'raw calls ms':>13} {'speed-up':>9}  target ≤ 200 ms")
    print(header)
    print("-" * len(header))
    for name, label, offered, report_s, raw_s in results:
        verdict = "ok" if report_s <= 0.2 else "MISSED"
        print(f"{name:<11} {label:<6} {offered:>10,} {report_s * 1000:>10.1f} "
              f"{raw_s * 1000:>13.1f} {raw_s / report_s:>8.0f}x  {verdict}")
    print("report = sum over the 15-minute rollups; raw = the same figures aggregated from "
          "the call rows (scratch table, no index)")


if __name__ == "__main__":
    main()
