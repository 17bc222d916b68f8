"""Every page at a year's data (DESIGN.md: every page in every role's navigation and every API
list, p95 ≤ 100 ms server time at 1,000,000 orders / 5,000,000 calls, ≤ 2× its time at
10,000 orders; API reads write nothing).

For each size (default 10,000 and 1,000,000 orders, 5 calls an order) and each database, it
builds the data set once (`benchmarks/dataset.py`; the SQLite file is kept under /tmp and
reused by later runs; PostgreSQL is a scratch database created and dropped here), logs in as
each role with the Flask test client (server time: routing, queries, templates — no network),
requests every page of the role's navigation and the API lists with realistic filters, and
prints p50/p95 per page with the small → large ratio. It also counts the SQL writes an API GET
makes (must be 0) and prints the worker's peak RSS.

    .venv/bin/python benchmarks/pages.py [--sizes 10000,1000000] [--runs 20] [--no-pg]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time

from sqlalchemy import event, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import dataset  # noqa: E402
from hotline.app import create_app  # noqa: E402
from hotline.clock import FixedClock  # noqa: E402
from hotline.extensions import db  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from hotline.registry import registry  # noqa: E402
from tests.databases import create_scratch, drop_scratch, server_answers  # noqa: E402

ROLES = ("agent", "staff", "supervisor", "admin")
PG_URL = os.environ.get("HOTLINE_BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
WRITES = ("INSERT", "UPDATE", "DELETE")


def make_app(url: str, instance: str):
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench",
                       "CLOCK": FixedClock(dataset.NOW), "LOG_LEVEL": "WARNING",
                       "WTF_CSRF_ENABLED": False, "IVR_CALL_BATCH_SECONDS": 0})


def sqlite_file(orders: int, calls: int) -> str:
    """The SQLite data set of this size, built once and kept in /tmp."""
    path = f"/tmp/hotline-pages-{orders}-{calls}.sqlite3"
    if os.path.exists(path):
        return path
    partial = path + ".building"
    if os.path.exists(partial):
        os.remove(partial)
    instance = tempfile.mkdtemp(prefix="pages-")
    app = make_app(f"sqlite:///{partial}", instance)
    upgrade(app)
    with app.app_context():
        started = time.perf_counter()
        dataset.build(orders, calls)
        print(f"  built SQLite {orders:,} orders / {calls:,} calls in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    shutil.move(partial, path)
    return path


def urls_for(app, role: str, ctx: dict) -> list[tuple[str, str]]:
    """(name, URL): the role's navigation, then the list pages with realistic filters."""
    pages = []
    with app.test_request_context():
        from flask import url_for
        for item in registry(app).nav_for(role):
            pages.append((item.endpoint, url_for(item.endpoint, **item.kwargs)))
    wo = "/workorders/"
    pages += [
        ("list: overdue", f"{wo}?view=all&overdue=1" if role != "staff"
         else f"{wo}?view=queue&overdue=1"),
        ("list: status returned", f"{wo}?view=all&status=returned"),
        ("list: area+category", f"{wo}?view=all&area=B2&category=leak"),
        ("list: text search", f"{wo}?view=all&text=漏水"),
        ("list: by phone", f"{wo}?view=all&phone={ctx['phone']}"),
        ("list: page 40", f"{wo}?view=all&page=40"),
        ("order detail", f"{wo}{ctx['number']}"),
    ]
    return [(name, url) for name, url in pages if "simulator" not in name]


def api_urls(role: str, ctx: dict) -> list[tuple[str, str]]:
    urls = [("api workorders", "/api/v1/workorders"),
            ("api workorders overdue", "/api/v1/workorders?overdue=true"),
            ("api workorders status+dept", "/api/v1/workorders?status=in_progress"
             "&department=mai3"),
            ("api workorders text", "/api/v1/workorders?text=漏水"),
            ("api outages", "/api/v1/outages")]
    if role != "staff":
        urls += [("api customers q", f"/api/v1/customers?q={ctx['street']}"),
                 ("api customers phone", f"/api/v1/customers?phone={ctx['phone']}"),
                 ("api calls", "/api/v1/calls"),
                 ("api calls by phone", f"/api/v1/calls?phone={ctx['phone']}"),
                 ("api calls answered", "/api/v1/calls?outcome=answered")]
    if role in ("supervisor", "admin"):
        urls += [("api service level", "/api/v1/metrics/service-level")]
    return urls


def timed(client, url: str, runs: int, headers=None) -> tuple[float, float, int, int]:
    """p50, p95, status and the number of SQL statements the page runs (a figure the
    machine's load does not change)."""
    times, status = [], 0
    client.get(url, headers=headers)  # warm (templates, caches)
    statements = []
    with client.application.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(url, headers=headers).close()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        response.close()
    times.sort()
    return (statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], status,
            len(statements))


def measure(app, runs: int) -> tuple[dict, int]:
    """{(role, page): (p50, p95, status)} and the number of SQL writes the API GETs made."""
    with app.app_context():
        ctx = dict(zip(("number", "phone", "street"), db.session.execute(text(
            "SELECT number, contact_phone, street FROM work_orders WHERE status <> 'closed'"
            " AND account_id IS NOT NULL ORDER BY id DESC LIMIT 1")).one()))
        tokens = dataset.tokens(db.session)
        db.session.remove()
    writes = []

    def count_writes(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(WRITES):
            writes.append(statement)

    results = {}
    for role in ROLES:
        client = app.test_client()
        response = client.post("/login", data={"username": f"bench-{role}",
                                               "password": dataset.PASSWORD})
        assert response.status_code == 302, (role, response.status_code)
        for name, url in urls_for(app, role, ctx):
            results[(role, name)] = timed(client, url, runs)
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        client.get("/api/v1/outages", headers=headers)  # the token's first use is stamped
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count_writes)
        for name, url in api_urls(role, ctx):
            results[(role, name)] = timed(client, url, runs, headers)
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count_writes)
    return results, len(writes)


def run_size(name: str, url: str, runs: int) -> tuple[dict, int]:
    app = make_app(url, tempfile.mkdtemp(prefix="pages-"))
    upgrade(app)  # a kept data set gets the indexes added since it was built
    results, writes = measure(app, runs)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    print(f"  {name}: measured, {writes} SQL writes during API GETs", flush=True)
    return results, writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--calls-per-order", type=int, default=dataset.CALLS_PER_ORDER)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg-sizes", default="", help="default: --sizes")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pg_sizes = [int(s) for s in args.pg_sizes.split(",")] if args.pg_sizes else sizes
    table = {}  # (db, size) -> results
    for size in sorted(set(sizes) | set(pg_sizes)):
        calls = size * args.calls_per_order
        if not args.no_sqlite and size in sizes:
            path = sqlite_file(size, calls)
            work = tempfile.mktemp(prefix="pages-", suffix=".sqlite3")
            shutil.copy(path, work)  # the run's tokens and logins never touch the kept file
            table[("SQLite", size)] = run_size(f"SQLite {size:,}", f"sqlite:///{work}",
                                               args.runs)
            os.remove(work)
        if not args.no_pg and size in pg_sizes and server_answers(PG_URL):
            scratch = create_scratch(PG_URL, prefix="hotline_pages")
            try:
                app = make_app(scratch, tempfile.mkdtemp(prefix="pages-"))
                upgrade(app)
                with app.app_context():
                    started = time.perf_counter()
                    dataset.build(size, calls)
                    print(f"  built PostgreSQL {size:,} orders / {calls:,} calls in "
                          f"{time.perf_counter() - started:.0f} s", flush=True)
                    db.session.remove()
                    db.engine.dispose()
                table[("PostgreSQL", size)] = run_size(f"PostgreSQL {size:,}", scratch,
                                                       args.runs)
            finally:
                drop_scratch(scratch)
    report(table)


def report(table: dict) -> None:
    load = os.getloadavg()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"Every page: p50/p95 ms server time (Flask test client), load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, peak RSS of this process {rss:.0f} MB")
    for dbname in ("SQLite", "PostgreSQL"):
        measured = sorted(size for name, size in table if name == dbname)
        if not measured:
            continue
        small, large = measured[0], measured[-1]
        results, writes = table[(dbname, large)]
        base = table.get((dbname, small), ({}, 0))[0]
        print(f"\n{dbname}: {large:,} orders (ratio = p95 at {large:,} / p95 at {small:,}); "
              f"SQL writes during API GETs: {writes}")
        header = (f"{'role':<11} {'page':<34} {'st':>3} {'p50':>8} {'p95':>8} {'ratio':>6} "
                  f"{'SQL':>4}")
        print(header)
        print("-" * len(header))
        for (role, page), (p50, p95, status, sql) in results.items():
            ratio = p95 / base[(role, page)][1] if (role, page) in base else float("nan")
            verdict = "" if p95 <= 100 and (ratio <= 2 or large == small) else "  MISSED"
            print(f"{role:<11} {page:<34} {status:>3} {p50:>8.1f} {p95:>8.1f} {ratio:>6.1f} "
                  f"{sql:>4}{verdict}")


if __name__ == "__main__":
    main()
