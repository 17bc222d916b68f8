"""IVR webhook benchmark (not part of the test suite).

Starts gunicorn on loopback twice with the same settings — the real app on a demo-sized
SQLite database, and a bare Flask app returning fixed TwiML — and drives both with the same
number of concurrent keep-alive connections, sending Twilio-signed requests, in alternating
rounds (bare, real, status callbacks; five rounds by default). Prints each round and the
medians:
  * /ivr/voice throughput ratio real/bare (target >= 0.5) and p99 latency (target <= 25 ms),
    with caller lookup and outage check on every request;
  * status callbacks per second on SQLite (target >= 1000/s) and errors, including any
    "database is locked" in the server log.

    .venv/bin/python benchmarks/ivr_webhooks.py [--requests 40000] [--connections 16]
        [--client wrk|python] [--seconds 5] [--rounds 5] [--workers 2] [--threads 4]

The load comes from `wrk` (apt-get install wrk) when installed, else from Python threads
with http.client keep-alive connections.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.telephony.signature import sign  # noqa: E402

TOKEN = "bench-twilio-auth-token"
PUBLIC = "https://hotline.bench.test"
def gunicorn_command(workers: int, threads: int) -> list[str]:
    return [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30",
            "--backlog", "256", "--log-level", "warning"]


GUNICORN = gunicorn_command(2, 4)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(instance: str, customers: int) -> None:
    from hotline.app import create_app
    from hotline.directory.models import Area, CustomerAccount, CustomerPhone
    from hotline.extensions import db
    from hotline.migrate import upgrade
    from hotline.outages.models import OutageNotice, OutageUpdate

    app = create_app({"INSTANCE_PATH": instance, "LOG_LEVEL": "WARNING",
                      "SECRET_KEY": "bench"})
    upgrade(app)
    now = datetime.now(timezone.utc)
    with app.app_context():
        areas = [Area(code=f"A{i:02d}", name_zh=f"区域{i}", name_en=f"Area {i}",
                      kind="urban" if i % 3 else "suburban") for i in range(20)]
        db.session.add_all(areas)
        db.session.flush()
        for n in range(customers):
            account = CustomerAccount(
                account_number=f"{100000 + n}", name=f"用户{n}", street="人民路",
                house_number=f"{n}号", landmark="", area=areas[n % len(areas)],
                meter_number=f"M{n}", balance_due=Decimal("12.50"), created_at=now,
                updated_at=now)
            account.phones = [CustomerPhone(e164=phone(n))]
            db.session.add(account)
        for i, area in enumerate(areas[:8]):
            notice = OutageNotice(kind="emergency" if i % 2 else "planned",
                                  status="active", cause="管网抢修", extent="",
                                  start_at=now - timedelta(hours=1),
                                  expected_end_at=now + timedelta(days=2), urgent=False,
                                  created_at=now, updated_at=now, areas=[area])
            notice.updates.append(OutageUpdate(note="抢修队已到现场", created_at=now))
            db.session.add(notice)
        db.session.commit()
        db.engine.dispose()


def phone(n: int) -> str:
    return f"+86139{n:08d}"


def start(app_spec: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(GUNICORN + ["--bind", f"127.0.0.1:{port}", app_spec],
                            cwd=str(ROOT), env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit(f"gunicorn did not start: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)


def voice_requests(count: int, customers: int, prefix: str) -> list[tuple[str, bytes, str]]:
    """Signed /ivr/voice posts: two thirds from known customers, the rest unknown numbers."""
    rng = random.Random(7)
    out = []
    for i in range(count):
        caller = phone(rng.randrange(customers)) if i % 3 else f"+86137{i:08d}"
        params = {"CallSid": f"CA{prefix}{i:030d}", "From": caller, "To": "+861012345",
                  "Direction": "inbound", "CallStatus": "ringing",
                  "AccountSid": "AC" + "0" * 32}
        out.append(("/ivr/voice", urlencode(params).encode(),
                    sign(TOKEN, PUBLIC + "/ivr/voice", params)))
    return out


def status_requests(count: int, prefix: str) -> list[tuple[str, bytes, str]]:
    """Each call sends ringing, in-progress, completed: one stored event each."""
    out = []
    statuses = ("ringing", "in-progress", "completed")
    for i in range(count):
        call, seq = divmod(i, 3)
        params = {"CallSid": f"CA{prefix}{call:030d}", "CallStatus": statuses[seq],
                  "SequenceNumber": str(seq), "From": phone(call), "To": "+861012345",
                  "Direction": "inbound", "CallDuration": "30", "AccountSid": "AC" + "0" * 32}
        path = "/webhooks/twilio/call-status"
        out.append((path, urlencode(params).encode(), sign(TOKEN, PUBLIC + path, params)))
    return out


def drive(port: int, requests: list[tuple[str, bytes, str]], connections: int,
          ok_status: int) -> dict:
    lock = threading.Lock()
    queue = list(reversed(requests))
    latencies: list[float] = []
    errors: list[str] = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while True:
            with lock:
                if not queue:
                    break
                path, body, signature = queue.pop()
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Twilio-Signature": signature}
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != ok_status:
                    errors.append(f"{response.status} on {path}")
            except (OSError, http.client.HTTPException) as err:
                errors.append(repr(err))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"n": len(latencies), "rps": len(latencies) / elapsed,
            "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "errors": errors}


WRK_SCRIPT = """
local requests = dofile(REQUESTS_FILE)
local counter = 1
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  step = WRK_THREADS
  index = id
end

function request()
  local r = requests[index]
  index = index + step
  if index > #requests then index = id end
  return wrk.format("POST", r[1], {["Content-Type"] = "application/x-www-form-urlencoded",
                                   ["X-Twilio-Signature"] = r[3]}, r[2])
end
"""


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def drive_wrk(port: int, requests: list[tuple[str, bytes, str]], connections: int,
              seconds: int, tmp: Path, name: str) -> dict:
    """wrk (C, keep-alive) for the load: the client takes little of the CPUs it shares
    with the servers. Each wrk thread walks its own slice of the signed requests."""
    threads = 2
    data = tmp / f"{name}-requests.lua"
    data.write_text("return {\n" + ",\n".join(
        "{" + ",".join(lua_string(x) for x in (p, b.decode(), sig)) + "}"
        for p, b, sig in requests) + "\n}\n")
    script = tmp / f"{name}.lua"
    script.write_text(WRK_SCRIPT.replace("REQUESTS_FILE", lua_string(str(data)))
                      .replace("WRK_THREADS", str(threads)))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d",
                          f"{seconds}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                         check=True).stdout
    def ms(text: str) -> float:
        value = float(text[:-2] if text.endswith("ms") else text[:-2] if text.endswith("us")
                      else text[:-1])
        return value if text.endswith("ms") else value / 1000 if text.endswith("us") \
            else value * 1000
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    total = int(next(l for l in out.splitlines() if "requests in" in l).split()[0])
    bad = next((int(l.split()[-1]) for l in out.splitlines() if "Non-2xx" in l), 0)
    errors = next((l.strip() for l in out.splitlines() if "Socket errors" in l), "")
    return {"n": total, "rps": float(lines["Requests/sec:"][1]), "p50": ms(lines["50%"][1]),
            "p99": ms(lines["99%"][1]),
            "errors": ([f"{bad} non-2xx responses"] if bad else []) + ([errors] if errors else []),
            "wrapped": total > len(requests)}


def load(args, port: int, requests, tmp: Path, name: str, ok_status: int) -> dict:
    if args.client == "wrk":
        return drive_wrk(port, requests, args.connections, args.seconds, tmp, name)
    return drive(port, requests, args.connections, ok_status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--seconds", type=int, default=5, help="wrk run length")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    global GUNICORN
    GUNICORN = gunicorn_command(args.workers, args.threads)
    load_before = os.getloadavg()[0]

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    instance = str(tmp / "instance")
    env = {**os.environ, "HOTLINE_INSTANCE_PATH": instance, "TWILIO_AUTH_TOKEN": TOKEN,
           "HOTLINE_PUBLIC_URL": PUBLIC, "SECRET_KEY": "bench-secret",
           "DATABASE_URL": f"sqlite:///{instance}/hotline.sqlite3", "LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    os.environ.update({k: env[k] for k in ("HOTLINE_INSTANCE_PATH", "TWILIO_AUTH_TOKEN",
                                           "HOTLINE_PUBLIC_URL", "DATABASE_URL")})
    print(f"seeding {args.customers} customers, 20 areas, 8 outages into {instance} ...")
    seed(instance, args.customers)

    # Both servers run side by side (an idle one costs nothing) and the load alternates
    # between them, round by round: this shared VM's speed drifts by ±20 % over a minute, and
    # a drift then hits both sides of a round alike. The ratio reported is the median round's.
    warm = args.requests // 10
    servers, logs = {}, {}
    try:
        for name, spec in (("bare", "benchmarks.bare_twiml:app"),
                           ("real", "hotline.app:create_app()")):
            port = free_port()
            logs[name] = tmp / f"{name}.log"
            servers[name] = (port, start(spec, port, env, logs[name]))
            drive(port, voice_requests(warm, args.customers, f"W{name[0]}"), args.connections,
                  200)
        rounds = []
        for n in range(args.rounds):
            result = {}
            for name in ("bare", "real"):
                result[name] = load(args, servers[name][0], voice_requests(
                    args.requests, args.customers, f"V{name[0]}{n}"), tmp, name, 200)
            result["status"] = load(args, servers["real"][0],
                                    status_requests(args.requests, f"S{n}"), tmp, "status", 204)
            result["ratio"] = result["real"]["rps"] / result["bare"]["rps"]
            rounds.append(result)
            print(f"  round {n + 1}: bare {result['bare']['rps']:.0f} req/s, hotline "
                  f"{result['real']['rps']:.0f} req/s (ratio {result['ratio']:.2f}, p99 "
                  f"{result['real']['p99']:.1f} ms), status callbacks "
                  f"{result['status']['rps']:.0f}/s", flush=True)
    finally:
        for port, proc in servers.values():
            stop(proc)

    def median(values):
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    locked = logs["real"].read_text(errors="replace").count("database is locked")
    ratio = median([r["ratio"] for r in rounds])
    middle = next(r for r in rounds if r["ratio"] == ratio)
    bare, real = middle["bare"], middle["real"]
    p99 = median([r["real"]["p99"] for r in rounds])
    status_rps = median([r["status"]["rps"] for r in rounds])
    errors = [e for r in rounds for key in ("real", "status") for e in r[key]["errors"]]
    print(f"gunicorn: {' '.join(GUNICORN[1:])}; client {args.client}; {args.connections} "
          f"connections; {args.requests} distinct signed requests per run "
          f"({'%ss each' % args.seconds if args.client == 'wrk' else 'one pass'}); "
          f"{args.rounds} alternating rounds, medians; {os.cpu_count()} CPUs; "
          f"load average before: {load_before:.1f}")
    for key in ("bare", "real", "status"):
        if any(r[key].get("wrapped") for r in rounds):
            print(f"  note: {key} ran past its {args.requests} requests and repeated some "
                  f"(replays); raise --requests")
    print(f"bare TwiML   /ivr/voice : {bare['rps']:8.0f} req/s  p50 {bare['p50']:5.1f} ms  "
          f"p99 {bare['p99']:5.1f} ms  errors {len(bare['errors'])}")
    print(f"hotline      /ivr/voice : {real['rps']:8.0f} req/s  p50 {real['p50']:5.1f} ms  "
          f"p99 {real['p99']:5.1f} ms  errors {len(real['errors'])}")
    print(f"throughput ratio        : {ratio:.2f}  (target >= 0.50) "
          f"{'OK' if ratio >= 0.5 else 'MISSED'}")
    print(f"p99 /ivr/voice          : {p99:.1f} ms (target <= 25 ms) "
          f"{'OK' if p99 <= 25 else 'MISSED'}")
    print(f"status callbacks        : {status_rps:8.0f} /s  errors {len(errors)}  "
          f"'database is locked' in log: {locked}  (target >= 1000/s, 0 errors) "
          f"{'OK' if status_rps >= 1000 and not errors and not locked else 'MISSED'}")
    for err in errors[:5]:
        print("  error:", err)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
