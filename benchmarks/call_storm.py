"""Call storm (DESIGN.md, "Performance targets"; benchmarks/README.md has the targets).

Gunicorn as in the Procfile, on a scratch database with the demo data; `--rate` new calls a
second for `--seconds` walk the IVR with signed webhooks (ivr/storm.py) while an agent and a
supervisor load console pages; then every call record is checked (ivr/storm_check.py).
A bare Flask endpoint's figures are printed beside them as a reference.

    .venv/bin/python benchmarks/call_storm.py [--rate 25] [--seconds 120]
        [--db sqlite|postgresql|both] [--kill-worker] [--workers 4] [--threads 4]
PostgreSQL: a scratch database beside HOTLINE_TEST_POSTGRES_URL, dropped at the end."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from hotline.config import normalise_database_url  # noqa: E402
from hotline.directory.models import Area, CustomerAccount, CustomerPhone  # noqa: E402
from ivr.models import Call  # noqa: E402
from ivr.storm import (STATUS_PATH, Storm, StormData, Webhook, percentile,  # noqa: E402
                       summarise)
from ivr.storm_check import check_records  # noqa: E402
from tests.databases import create_scratch, drop_scratch, server_answers  # noqa: E402
from workorders.models import WorkOrder  # noqa: E402

TOKEN = "storm-twilio-auth-token"
BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEMO_PASSWORD = "hotline-demo"
CONSOLE_PAGES = {
    "agent": ["/", "/softphone", "/customers?q=%E7%8E%8B", "/customers/11000001", "/outages",
              "/workorders/", "/sla/wallboard"],
    "supervisor": ["/", "/sla/", "/sla/wallboard", "/workorders/", "/outages"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(args, port: int, app: str) -> list[str]:
    """The Procfile's `web` line, bound to loopback."""
    return [str(BIN / "gunicorn"), "--workers", str(args.workers), "--threads",
            str(args.threads), "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", app]


def start_server(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(command, cwd=str(ROOT), env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"gunicorn did not start: {log.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_of(pids) -> dict[int, float]:
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def cpu_seconds(master: int) -> float:
    """CPU time used so far by gunicorn's master and its live workers."""
    return sum(cpu_of([master, *workers_of(master)]).values())


def database_backends(url: str) -> list[int]:
    """PostgreSQL's server processes serving the scratch database (none for SQLite)."""
    name = url.rsplit("/", 1)[1]
    if not url.startswith("postgresql"):
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and name in (entry / "cmdline").read_text():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def storm_data(url: str) -> StormData:
    engine = create_engine(normalise_database_url(url))
    with Session(engine) as session:
        first_account = (select(CustomerPhone.e164, func.min(CustomerAccount.account_number))
                         .join(CustomerAccount).group_by(CustomerPhone.e164))
        by_number = dict(session.execute(select(CustomerAccount.account_number,
                                                CustomerAccount.id)).all())
        known = [(phone, by_number[number]) for phone, number in session.execute(first_account)]
        data = StormData(
            known_callers=sorted(known),
            account_numbers=sorted(by_number),
            order_numbers=list(session.scalars(select(WorkOrder.number))),
            area_codes=list(session.scalars(select(Area.code).order_by(Area.code))),
            account_areas=dict(session.execute(select(CustomerAccount.id, Area.code)
                                               .join(Area, CustomerAccount.area_id == Area.id))
                               .all()),
            # R27: what each holder keys when calling from another number
            holder_digits={
                **{number: phone[-4:] for phone, number in session.execute(
                    select(CustomerPhone.e164, CustomerAccount.account_number)
                    .join(CustomerAccount))},
                **{number.replace("WO-", "").replace("-", ""): phone[-4:]
                   for number, phone in session.execute(
                       select(WorkOrder.number, WorkOrder.contact_phone))
                   if len(phone) >= 4}})
        taken = session.scalar(select(func.count()).select_from(CustomerPhone)
                               .where(CustomerPhone.e164.like("+86170%")))
    engine.dispose()
    if not (data.known_callers and data.order_numbers and data.area_codes) or taken:
        raise SystemExit("the demo data is not as expected")
    return data


class Console:
    """Agent and supervisor sessions loading console pages in turn, `interval` apart."""

    def __init__(self, base: str, interval: float = 0.2) -> None:
        self.base, self.interval = base, interval
        self.samples: list[tuple[str, float, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sessions = {user: self._login(user) for user in CONSOLE_PAGES}

    def _login(self, user: str) -> requests.Session:
        session = requests.Session()
        page = session.get(self.base + "/login", timeout=15).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = session.post(self.base + "/login", timeout=15, allow_redirects=False, data={
            "csrf_token": token, "username": user, "password": DEMO_PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"console login as {user} failed: {answer.status_code}")
        return session

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        turn = [(user, page) for user, pages in CONSOLE_PAGES.items() for page in pages]
        n = 0
        while not self._stop.is_set():
            user, page = turn[n % len(turn)]
            n += 1
            t0 = time.perf_counter()
            try:
                status = self.sessions[user].get(self.base + page, timeout=15).status_code
            except requests.RequestException:
                status = 0
            self.samples.append((page, (time.perf_counter() - t0) * 1000, status))
            self._stop.wait(self.interval)


def run_reference(args, env: dict, tmp: Path, rate: float) -> None:
    """The bare Flask endpoint (benchmarks/bare_twiml.py) under the same gunicorn settings,
    at the storm's webhook rate: what the framework and server alone cost."""
    port = free_port()
    proc = start_server(gunicorn_command(args, port, "benchmarks.bare_twiml:app"),
                        {**env, "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}"},
                        tmp / "bare.log")
    storm = Storm(f"http://127.0.0.1:{port}", TOKEN, StormData([], [], [], []),
                  threads=args.client_threads)
    seconds = min(args.seconds, 15)
    params = {"CallSid": "CA" + "0" * 32, "From": "+8613800138000", "To": "+861012345",
              "CallStatus": "completed", "SequenceNumber": "2"}
    hooks = [Webhook("/ivr/voice", params, kind="voice") if n % 2 else
             Webhook(STATUS_PATH, params, kind="status", ok=204)
             for n in range(int(rate * seconds))]
    results = []
    try:
        with ThreadPoolExecutor(args.client_threads) as pool:
            # Warm-up: the workers load the app after gunicorn starts listening.
            list(pool.map(lambda hook: storm.send(hook, time.monotonic()), hooks[:400]))
            start, cpu = time.monotonic(), cpu_seconds(proc.pid)
            futures = []
            for n, hook in enumerate(hooks):
                due = start + n / rate
                time.sleep(max(0.0, due - time.monotonic()))
                futures.append(pool.submit(storm.send, hook, due))
            results = [f.result()[0] for f in futures]
        cpu = cpu_seconds(proc.pid) - cpu
    finally:
        stop_server(proc)
    s = summarise(results)
    print(f"reference: bare Flask endpoint, {len(results)} requests at {rate:.0f}/s: "
          f"p50 {s.p50:.1f} ms, p95 {s.p95:.1f} ms, p99 {s.p99:.1f} ms, errors {s.errors}, "
          f"gunicorn CPU {cpu / len(results) * 1000:.1f} ms per request (not a target)",
          flush=True)


def run_storm(args, db: str, tmp: Path) -> bool:
    instance = tmp / f"instance-{db}"
    instance.mkdir()
    if db == "postgresql":
        pg = os.environ.get("HOTLINE_TEST_POSTGRES_URL") or PG_DEFAULT
        if not server_answers(pg):
            print(f"postgresql: no server at {pg}; skipped")
            return True
        url = create_scratch(pg, prefix="hotline_storm")
    else:
        url = f"sqlite:///{instance}/hotline.sqlite3"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HOTLINE_INSTANCE_PATH": str(instance), "DATABASE_URL": url,
           "TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_PUBLIC_URL": base, "SECRET_KEY": "storm-secret",
           "PYTHONPATH": str(ROOT)}
    proc = None
    try:
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([str(BIN / "hotline"), *command], cwd=str(ROOT), env=env, check=True,
                           stdout=subprocess.DEVNULL)
        data = storm_data(url)
        log = tmp / f"gunicorn-{db}.log"
        command = gunicorn_command(args, port, "hotline.app:create_app()")
        proc = start_server(command, env, log)
        # Warm every worker up (imports, templates, catalogs) with a short storm of its own.
        Storm(base, TOKEN, data, rate=args.rate, seconds=3, pace=0.2, seed=99,
              sid_prefix="CAwarm", threads=args.client_threads).run()
        console = Console(base)
        # The console alone for a few seconds: its CPU per page, to tell the webhooks' apart.
        cpu_before = cpu_seconds(proc.pid)
        console.start()
        time.sleep(5)
        console.stop()
        page_cpu = (cpu_seconds(proc.pid) - cpu_before) / max(1, len(console.samples))
        console = Console(base)
        storm = Storm(base, TOKEN, data, rate=args.rate, seconds=args.seconds, pace=args.pace,
                      threads=args.client_threads, sid_prefix=f"CA{db[:2]}")
        killed: list[str] = []

        def kill_one() -> None:
            victims = workers_of(proc.pid)
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                killed.append(f"worker {victims[0]} SIGKILLed at "
                              f"{time.monotonic() - began:.1f} s")

        events = [(args.seconds / 2, kill_one)] if args.kill_worker else []
        load_before = os.getloadavg()
        cpu_before, client_before = cpu_seconds(proc.pid), time.process_time()
        db_before = cpu_of(database_backends(url))
        console.start()
        began = time.monotonic()
        sent = storm.run(events)
        elapsed = time.monotonic() - began
        console.stop()
        load_after = os.getloadavg()
        db_after = cpu_of(database_backends(url))
        cpu = (cpu_seconds(proc.pid) - cpu_before, time.process_time() - client_before,
               page_cpu, sum(t - db_before.get(pid, 0.0) for pid, t in db_after.items()))
        engine = create_engine(normalise_database_url(url))
        with Session(engine) as session:
            problems = check_records(session, storm.calls)
            rows = session.scalar(select(func.count()).select_from(Call).where(
                Call.call_sid.like(f"CA{db[:2]}%")))
        engine.dispose()
        if rows != len(storm.calls):
            problems.append(f"{rows} call records for {len(storm.calls)} calls")
        server_log = log.read_text(errors="replace")
        return report(args, db, command, storm, sent, elapsed, console, problems, killed,
                      server_log, (load_before, load_after), workers_of(proc.pid), cpu)
    finally:
        if proc is not None:
            stop_server(proc)
        if db == "postgresql":
            drop_scratch(url)


def report(args, db, command, storm, sent, elapsed, console, problems, killed, server_log,
           load, workers_now, cpu) -> bool:
    s = summarise(sent)
    pages = [ms for _, ms, status in console.samples if status == 200]
    page_errors = [(page, status) for page, _, status in console.samples if status != 200]
    page_p95 = percentile(pages, 0.95)
    tracebacks = server_log.count("Traceback")
    locked = server_log.count("database is locked")
    calls = storm.calls
    first = min(x.sent for x in sent)
    per_second: dict[int, int] = {}
    for x in sent:
        per_second[int(x.sent - first)] = per_second.get(int(x.sent - first), 0) + 1
    busiest = max(sum(per_second.get(t + i, 0) for i in range(10)) / 10
                  for t in range(max(1, int(elapsed) - 9)))
    print(f"\n== {db}: {len(calls)} calls ({args.rate}/s for {args.seconds} s), "
          f"{len(sent)} webhooks in {elapsed:.0f} s (busiest 10 s: {busiest:.0f}/s)")
    print(f"   gunicorn: {' '.join(command[1:])}; {os.cpu_count()} CPUs; load average "
          f"{load[0][0]:.1f} before, {load[1][0]:.1f} after")
    webhook_cpu = (cpu[0] - cpu[2] * len(console.samples)) / len(sent) * 1000
    print(f"   CPU: gunicorn {webhook_cpu:.1f} ms per webhook and {cpu[2] * 1000:.0f} ms per "
          f"console page; this client {cpu[1] / len(sent) * 1000:.1f} ms per webhook"
          + (f"; PostgreSQL {cpu[3] / len(sent) * 1000:.1f} ms per webhook or page"
             if cpu[3] else ""))
    for line in killed:
        print(f"   {line}; workers now {len(workers_now)} (the CPU above misses the "
              f"killed worker's)")
    print(f"   webhooks: p50 {s.p50:.1f} ms, p95 {s.p95:.1f} ms, p99 {s.p99:.1f} ms, "
          f"max {s.max:.0f} ms; errors {s.errors}; retried after a broken connection "
          f"{s.retried}; client lag p99 {s.lag_p99:.1f} ms")
    for kind, (n, p50, p99) in s.by_kind.items():
        print(f"     {kind:11s} {n:6d}  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    print(f"   console: {len(console.samples)} pages, p50 {percentile(pages, 0.5):.0f} ms, "
          f"p95 {page_p95:.0f} ms, max {max(pages, default=0):.0f} ms, errors "
          f"{len(page_errors)}")
    for page in CONSOLE_PAGES["agent"] + CONSOLE_PAGES["supervisor"]:
        times = [ms for p, ms, status in console.samples if p == page and status == 200]
        if times:
            print(f"     {page:24s} p95 {percentile(times, 0.95):6.0f} ms")
    print(f"   records: {len(calls) - len({p.split(':')[0] for p in problems})} of "
          f"{len(calls)} correct; {len(problems)} problems")
    for problem in problems[:10]:
        print(f"     {problem}")
    print(f"   server log: {tracebacks} tracebacks, {locked} 'database is locked'")
    checks = [("0 errors", s.errors == 0 and not page_errors),
              ("p99 <= 50 ms", s.p99 <= 50), ("every record correct", not problems),
              ("console p95 <= 150 ms", page_p95 <= 150)]
    print("   targets: " + "; ".join(f"{name} {'OK' if ok else 'MISSED'}"
                                      for name, ok in checks), flush=True)
    return all(ok for _, ok in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=25, help="new calls a second")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--kill-worker", action="store_true",
                        help="SIGKILL one gunicorn worker half-way through")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY",
                                                                          4)))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pace", type=float, default=1.0,
                        help="scale the callers' pauses (1: a few seconds per prompt)")
    parser.add_argument("--client-threads", type=int, default=48)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hotline-storm-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not args.no_reference:
        run_reference(args, env, tmp, rate=args.rate * 8)
    ok = True
    for db in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        ok = run_storm(args, db, tmp) and ok
    print(f"\nlogs in {tmp}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
