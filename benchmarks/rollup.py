"""The service-level rollup job over a busy day (issue 13: the service-level benchmark built
its own rollups, so the job itself was never timed). Target: ≤ 1 s.

Inserts one day of 200,000 calls (`benchmarks/dataset.py`'s call builder: a quarter
self-served, half answered, a quarter abandoned) into a fresh database, then times the clock's
job `sla.jobs.roll_up_service_level` as it runs:
- a normal tick at the end of the day (the current interval and the last hour's, for late
  webhooks),
- the catch-up after the clock was down for the whole day (every 15-minute interval of the
  day recomputed from the calls: all 200,000 rows read once),
and checks the rollups add up to the calls offered.

    .venv/bin/python benchmarks/rollup.py [--calls 200000] [--no-pg]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from sqlalchemy import delete, func, select

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.dataset import NOW, insert_calls  # noqa: E402
from hotline.app import create_app  # noqa: E402
from hotline.clock import FixedClock  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from sla.jobs import roll_up_service_level  # noqa: E402
from sla.models import ServiceLevelInterval  # noqa: E402
from tests.databases import create_scratch, drop_scratch, server_answers  # noqa: E402

DAY = timedelta(days=1)
PG_URL = os.environ.get("HOTLINE_BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def run(app, now, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        with app.app_context():
            db.session.execute(delete(ServiceLevelInterval))
            # The clock last rolled up a day ago: it reaches back over the whole day.
            db.session.add(ServiceLevelInterval(
                line="hotline", starts_at=now - DAY, offered=0, answered=0,
                answered_in_threshold=0, abandoned=0, short_abandoned=0,
                wait_seconds_total=0, longest_wait_seconds=0, computed_at=now - DAY))
            db.session.commit()
        with app.app_context():
            started = time.perf_counter()
            roll_up_service_level(db.session, app, now)
            db.session.commit()
            times.append(time.perf_counter() - started)
            db.session.remove()
    return statistics.median(times)


def tick(app, now, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        with app.app_context():
            started = time.perf_counter()
            roll_up_service_level(db.session, app, now)
            db.session.commit()
            times.append(time.perf_counter() - started)
            db.session.remove()
    return statistics.median(times)


def bench(name: str, url: str, calls: int, repeats: int) -> tuple:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp(),
                      "SECRET_KEY": "bench", "CLOCK": FixedClock(NOW), "LOG_LEVEL": "WARNING"})
    upgrade(app)
    with app.app_context():
        insert_calls(db.session, calls, NOW - DAY, DAY, None, None)
        db.session.remove()
    catch_up = run(app, NOW, repeats)
    with app.app_context():
        offered = db.session.scalar(select(func.sum(ServiceLevelInterval.offered)).where(
            ServiceLevelInterval.starts_at >= NOW - DAY))
    normal = tick(app, NOW, repeats)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return name, offered, catch_up, normal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    results = []
    path = os.path.join(tempfile.mkdtemp(prefix="rollup-"), "bench.sqlite3")
    results.append(bench("SQLite", f"sqlite:///{path}", args.calls, args.repeats))
    if not args.no_pg and server_answers(PG_URL):
        scratch = create_scratch(PG_URL, prefix="hotline_rollup")
        try:
            results.append(bench("PostgreSQL", scratch, args.calls, args.repeats))
        finally:
            drop_scratch(scratch)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nService-level rollup job over a day of {args.calls:,} calls "
          f"(median of {args.repeats}; load average {load})")
    header = (f"{'database':<11} {'offered':>9} {'day catch-up s':>15} {'normal tick s':>14}"
              "  target ≤ 1 s")
    print(header)
    print("-" * len(header))
    for name, offered, catch_up, normal in results:
        verdict = "ok" if catch_up <= 1.0 else "MISSED"
        print(f"{name:<11} {offered:>9,} {catch_up:>15.3f} {normal:>14.3f}  {verdict}")
    print("catch-up = the job after a day without a clock (96 intervals, every call read); "
          "normal tick = the last hour's 5 intervals")


if __name__ == "__main__":
    main()
