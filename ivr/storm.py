"""Synthetic call traffic: callers who walk the IVR over HTTP the way Twilio drives it.

Each call is a script of signed webhooks: the voice URL (greeting), a key on the main menu,
then a self-service look-up (balance, outages, order status; by the caller's number or by
digits keyed in) or the agents' queue (wait URL, the `<Queue url>` bridge, the Enqueue
action), and status callbacks. The next request follows the TwiML the app answered
(`ivr.driver.read`), after a pause standing in for the prompt being spoken. Afterwards
`check_records` compares every call's record with what the script did.

    storm = Storm("http://127.0.0.1:8000", token, StormData(...), rate=25, seconds=120)
    report = storm.run()
    problems = check_records(session, storm.calls)

Used by benchmarks/call_storm.py; meant to serve a `hotline simulate` command as well.
It needs the standard library and the app's own modules only (no Flask app context)."""

from __future__ import annotations

import heapq
import http.client
import random
import threading
import time
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from hotline.clock import Clock, SystemClock
from hotline.telephony.signature import SIGNATURE_HEADER, sign
from ivr.driver import parse, read

STATUS_PATH = "/webhooks/twilio/call-status"
# How often each path is taken (weights). Known callers are matched by their number;
# "by_account" and "by_area" callers call from a number the utility does not know.
MIX = {"balance": 25, "outages": 15, "balance_by_account": 10, "outages_by_area": 10,
       "order_status": 15, "queue": 25}
IDLE_RECONNECT = 1.5  # seconds; gunicorn closes idle keep-alive connections after 2 s


class UnexpectedAnswer(Exception):
    """The app answered with TwiML this caller's script did not expect."""


def expect(body: str, kind: str) -> dict:
    """The next step of the TwiML `body`, which must be of `kind` (gather, redirect…)."""
    step = read(parse(body)).next
    if step.get("type") != kind:
        raise UnexpectedAnswer(f"expected {kind}, got {step}")
    return step


@dataclass(frozen=True)
class StormData:
    """What the callers need to know about the utility's data."""

    known_callers: list[tuple[str, int]]  # (E.164 phone, account id)
    account_numbers: list[str]
    order_numbers: list[str]  # "WO-20261124-0042"
    area_codes: list[str]  # sorted: the outages menu offers the first nine, in this order
    agent: str = "agent"  # the username that answers queued calls
    # account id -> its area's code: a known caller's outage look-up is "outages:<code>"
    account_areas: dict[int, str] = field(default_factory=dict)
    # What a holder knows (R27): the digits keyed for an account or an order -> the last 4
    # digits of its registered phone, keyed when the caller's number does not match.
    holder_digits: dict[str, str] = field(default_factory=dict)


@dataclass
class Webhook:
    path: str
    params: dict[str, str]
    delay: float = 0.0  # seconds after the previous answer (the caller listening, keying)
    kind: str = ""
    ok: int = 200


@dataclass
class Sent:
    """One request as the client saw it."""

    kind: str
    due: float  # time.monotonic() it was due
    sent: float
    latency: float  # seconds from sending to the whole answer read
    status: int  # 0: no answer (connection failed)
    retried: bool = False
    error: str = ""


@dataclass
class StormCall:
    sid: str
    phone: str
    account_id: int | None
    scenario: str
    rng: random.Random
    data: StormData
    pace: float = 1.0
    expected_path: str = ""
    duration: int = 0
    first_sent: datetime | None = None  # wall clock, for the record's start
    first_answered: datetime | None = None
    failed: str = ""
    finished: bool = False

    def params(self, **extra: str) -> dict[str, str]:
        return {"AccountSid": "AC" + "0" * 32, "CallSid": self.sid, "From": self.phone,
                "To": "+861012345", "Direction": "inbound", "CallStatus": "in-progress",
                "ApiVersion": "2010-04-01", **extra}

    def _own_lookup(self, key: str) -> str:
        """A known caller's balance or outage look-up, as the IVR path records it."""
        if key == "1":
            return ">balance"
        return f">outages:{self.data.account_areas.get(self.account_id, '?')}"

    def pause(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high) * self.pace

    def script(self) -> Generator[Webhook, str, None]:
        """The call's webhooks in order; each `yield` gets the answer's body back."""
        started = time.monotonic()
        body = yield Webhook("/ivr/voice", self.params(CallStatus="ringing"), kind="voice")
        menu = expect(body, "gather")
        yield Webhook(STATUS_PATH, self.params(SequenceNumber="1"), kind="status", ok=204)
        keys = {"balance": "1", "balance_by_account": "1", "outages": "2",
                "outages_by_area": "2", "order_status": "3", "queue": "0"}[self.scenario]
        path = f"voice>main:{keys}"
        body = yield Webhook(menu["action"], self.params(Digits=keys), self.pause(3, 6),
                             kind="menu")
        if self.scenario == "queue":
            yield from self._queue(expect(body, "queue"))
        else:
            if self.scenario == "balance_by_account":
                digits = self.rng.choice(self.data.account_numbers)
                path += ">balance"
            elif self.scenario == "outages_by_area":
                index = self.rng.randrange(min(9, len(self.data.area_codes)))
                digits = str(index + 1)
                path += f">outages:{self.data.area_codes[index]}"
            elif self.scenario == "order_status":
                number = self.rng.choice(self.data.order_numbers)
                digits = number.replace("WO-", "").replace("-", "")  # without the "#"
                path += ">order-status"
            else:
                digits = None
                path += self._own_lookup(keys)
            if digits is not None:
                body = yield Webhook(expect(body, "gather")["action"],
                                     self.params(Digits=digits), self.pause(3, 6), kind="lookup")
                step = read(parse(body)).next
                if step.get("type") == "gather" and "/verify" in step["action"]:
                    body = yield Webhook(step["action"], self.params(
                        Digits=self.data.holder_digits.get(digits, "0000")), self.pause(3, 6),
                        kind="verify")
            # Self-served: the answer is spoken, then Twilio follows the Redirect to the menu.
            body = yield Webhook(expect(body, "redirect")["url"], self.params(),
                                 self.pause(4, 8), kind="main")
            if self.account_id is not None and self.rng.random() < 0.5:
                # A known caller asks a second question (outages after the balance, …).
                again = "2" if keys == "1" else "1"
                path += f">main:{again}" + self._own_lookup(again)
                body = yield Webhook(expect(body, "gather")["action"],
                                     self.params(Digits=again), self.pause(3, 6), kind="menu")
                yield Webhook(expect(body, "redirect")["url"], self.params(),
                              self.pause(4, 8), kind="main")
        self.expected_path = path
        self.duration = max(1, round(time.monotonic() - started + self.pause(1, 3)))
        yield Webhook(STATUS_PATH, self.params(CallStatus="completed", SequenceNumber="2",
                                               CallDuration=str(self.duration)),
                      self.pause(1, 3), kind="status", ok=204)

    def _queue(self, step: dict) -> Generator[Webhook, str, None]:
        queued = time.monotonic()
        for position in (3, 2, 1):
            waited = str(int(time.monotonic() - queued))
            yield Webhook(step["waitUrl"], self.params(
                QueuePosition=str(position), QueueTime=waited, AvgQueueTime="20",
                CurrentQueueSize=str(position)), self.pause(1, 3), kind="queue-wait")
        waited = str(int(time.monotonic() - queued + 1))
        yield Webhook(f"/ivr/queue/connect?agent={self.data.agent}", self.params(
            QueueTime=waited, DequeingCallSid="CA" + self.sid[2:][::-1]), self.pause(1, 3),
            kind="connect")
        yield Webhook(step["action"], self.params(QueueResult="bridged", QueueTime=waited),
                      self.pause(5, 10), kind="queue-done")


class Storm:
    """Starts `rate` new calls a second for `seconds`, each walking its script; requests go
    out on a bounded pool of keep-alive connections. A request whose connection fails is
    sent once more on a new connection, as Twilio does with a retry connection override
    (`#rc=1&rp=all`); the webhooks are idempotent."""

    def __init__(self, base_url: str, token: str, data: StormData, *, rate: float = 25,
                 seconds: float = 120, pace: float = 1.0, threads: int = 48, seed: int = 1,
                 public_url: str | None = None, mix: dict[str, int] | None = None,
                 sid_prefix: str = "CAstorm", unknown_prefix: str = "+86170",
                 clock: Clock | None = None) -> None:
        # The wall clock of the storm's client by default: records are checked against
        # when each call's first webhook was really served.
        self.clock = clock or SystemClock()
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.public = (public_url or base_url).rstrip("/")
        self.token = token
        self.rate, self.seconds, self.pace, self.threads = rate, seconds, pace, threads
        self.rng = random.Random(seed)
        self.data = data
        self.mix = mix or MIX
        self.sid_prefix, self.unknown_prefix = sid_prefix, unknown_prefix
        self.calls: list[StormCall] = []
        self.sent: list[Sent] = []
        self._heap: list[tuple[float, int, StormCall, Generator, Webhook]] = []
        self._seq = 0
        self._live = 0
        self._cond = threading.Condition()
        self._local = threading.local()

    def new_call(self, n: int) -> StormCall:
        scenario = self.rng.choices(list(self.mix), weights=list(self.mix.values()))[0]
        if scenario in ("balance_by_account", "outages_by_area") or (
                scenario in ("order_status", "queue") and self.rng.random() < 0.3):
            phone, account_id = f"{self.unknown_prefix}{n:08d}", None
        else:
            phone, account_id = self.rng.choice(self.data.known_callers)
        return StormCall(f"{self.sid_prefix}{n:026d}"[:34], phone, account_id, scenario,
                         random.Random(self.rng.random()), self.data, self.pace)

    def run(self, events: Iterable[tuple[float, Callable[[], None]]] = ()) -> list[Sent]:
        """Run the storm; `events` are (seconds from start, function) run on the way (for
        instance, killing a worker). Returns every request sent."""
        start = time.monotonic()
        total = int(self.rate * self.seconds)
        with self._cond:
            for n in range(total):
                call = self.new_call(n)
                self.calls.append(call)
                script = call.script()
                self._push(start + n / self.rate, call, script, next(script))
            self._live = total
        pending = sorted(events, key=lambda e: e[0])
        with ThreadPoolExecutor(self.threads, thread_name_prefix="storm") as pool:
            while True:
                with self._cond:
                    if not self._heap and self._live == 0:
                        break
                    now = time.monotonic()
                    while pending and start + pending[0][0] <= now:
                        threading.Thread(target=pending.pop(0)[1], daemon=True).start()
                    if not self._heap or self._heap[0][0] > now:
                        due = self._heap[0][0] if self._heap else now + 0.05
                        self._cond.wait(min(0.05, max(0.0, due - now)))
                        continue
                    due, _, call, script, hook = heapq.heappop(self._heap)
                pool.submit(self._send_and_continue, due, call, script, hook)
        return self.sent

    def _push(self, due: float, call: StormCall, script: Generator, hook: Webhook) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, call, script, hook))
        self._cond.notify()

    def _send_and_continue(self, due: float, call: StormCall, script: Generator,
                           hook: Webhook) -> None:
        following, result = None, None
        try:
            first = call.first_sent is None
            if first:
                call.first_sent = self.clock.now()
            result, body = self.send(hook, due)
            if first:
                call.first_answered = self.clock.now()
            if result.status != hook.ok:
                call.failed = f"{hook.kind}: {result.status or result.error}"
            else:
                try:
                    following = script.send(body)
                except StopIteration:
                    call.finished = True
        except Exception as err:  # the call ends here, reported by check_records
            call.failed = f"{hook.kind}: {type(err).__name__}: {err}"
            following = None
        with self._cond:
            if result is not None:
                self.sent.append(result)
            if following is not None:
                self._push(time.monotonic() + following.delay, call, script, following)
            else:
                self._live -= 1
                self._cond.notify()

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        idle = time.monotonic() - getattr(self._local, "used", 0.0)
        if conn is None or fresh or idle > IDLE_RECONNECT:
            if conn is not None:
                conn.close()
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port,
                                                                 timeout=15)
        return conn

    def send(self, hook: Webhook, due: float) -> tuple[Sent, str]:
        body = urlencode(hook.params).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   SIGNATURE_HEADER: sign(self.token, self.public + hook.path, hook.params)}
        retried, error = False, ""
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt > 0)
            sent = time.monotonic()
            try:
                conn.request("POST", hook.path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode()
                self._local.used = time.monotonic()
                latency = self._local.used - sent
                return Sent(hook.kind, due, sent, latency, response.status, retried), text
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                self._local.conn = None
                error, retried = f"{type(err).__name__}: {err}", True
        return Sent(hook.kind, due, sent, time.monotonic() - sent, 0, retried, error), ""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


@dataclass
class Summary:
    count: int
    errors: int
    retried: int
    p50: float
    p95: float
    p99: float
    max: float
    lag_p99: float
    by_kind: dict[str, tuple[int, float, float]] = field(default_factory=dict)


def summarise(sent: list[Sent], ok: Callable[[Sent], bool] | None = None) -> Summary:
    """Latencies in milliseconds; an error is a request that got no wanted answer even
    after its retry. `lag`: how late the client sent requests (it must stay near 0)."""
    ok = ok or (lambda s: s.status in (200, 204))
    latencies = [s.latency * 1000 for s in sent if s.status]
    kinds: dict[str, list[float]] = {}
    for s in sent:
        if s.status:
            kinds.setdefault(s.kind, []).append(s.latency * 1000)
    return Summary(
        count=len(sent), errors=sum(1 for s in sent if not ok(s)),
        retried=sum(1 for s in sent if s.retried),
        p50=percentile(latencies, 0.50), p95=percentile(latencies, 0.95),
        p99=percentile(latencies, 0.99), max=max(latencies, default=float("nan")),
        lag_p99=percentile([(s.sent - s.due) * 1000 for s in sent], 0.99),
        by_kind={k: (len(v), percentile(v, 0.5), percentile(v, 0.99))
                 for k, v in sorted(kinds.items())})
