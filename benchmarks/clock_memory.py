"""The clock's memory while catching up (DESIGN.md: ≤ 300 MB catching up 300,000 overdue
deadlines; issue 13 measured 1.31 GB before the sweeps worked in chunks).

Builds 300,000 overdue deadlines of real orders (plus running and met ones, as in
`sla_sweep.py`), then runs the watch job through `ClockRunner` exactly as the clock process
does (chunk after chunk, each committed) and prints the process's peak RSS before and after,
with the time taken and the notices written.

    .venv/bin/python benchmarks/clock_memory.py [--due 300000] [--pg]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.sla_sweep import NOW, RUNNING_NOT_DUE, load  # noqa: E402
from hotline.app import create_app  # noqa: E402
from hotline.clock import FixedClock  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from sla.clock_process import JOBS, ClockRunner  # noqa: E402
from tests.databases import create_scratch, drop_scratch  # noqa: E402

PG_URL = os.environ.get("HOTLINE_BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=300_000)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    url = (create_scratch(PG_URL, prefix="hotline_clockmem") if args.pg else
           f"sqlite:///{tempfile.mkdtemp(prefix='clockmem-')}/bench.sqlite3")
    try:
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp(),
                          "SECRET_KEY": "bench", "CLOCK": FixedClock(NOW),
                          "LOG_LEVEL": "WARNING"})
        upgrade(app)
        with app.app_context():
            with db.engine.begin() as conn:
                load(conn, db.engine.dialect.name, args.due + RUNNING_NOT_DUE + 10_000,
                     args.due)
        before = peak_mb()
        runner = ClockRunner(app, "bench")
        assert runner.renew()
        started = time.perf_counter()
        result = runner.run(next(j for j in JOBS if j.id == "watch_deadlines"))
        elapsed = time.perf_counter() - started
        after = peak_mb()
        with app.app_context():
            db.engine.dispose()
    finally:
        if args.pg:
            drop_scratch(url)
    load_avg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    verdict = "ok" if after <= 300 else "MISSED"
    print(f"clock catch-up ({'PostgreSQL' if args.pg else 'SQLite'}): {result['breaches']:,} "
          f"breaches, {result['notices']:,} notices in {elapsed:.1f} s; peak RSS "
          f"{before:.0f} MB before, {after:.0f} MB after (target ≤ 300 MB) {verdict}; "
          f"load average {load_avg}")


if __name__ == "__main__":
    main()
