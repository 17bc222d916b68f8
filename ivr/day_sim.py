"""`hotline simulate`: a day of calls played through the app's own signed webhooks
(`ivr.driver.post`) on simulated time: the app's clock is set to each event's moment, so a
day runs in minutes. Twilio is modelled as the notes describe it (TWILIO-NOTES, "Call flow
facts"): a prompt takes its speaking time before the next verb runs (a caller is queued only
once the hold prompt is spoken), an empty recording requests no action, `<Dial><Queue>` on an
empty queue waits for a caller, the Enqueue action of a bridged call comes when the call ends,
and status callbacks arrive late, twice or out of order.

Callers follow `ivr.day_plan` (arrival curve, intent, patience) and react to whatever TwiML
comes back; agents work shifts with breaks, answer through `/ivr/agent` and pass through
on call and wrap-up. `ivr.day_check` compares the wallboard's R1 with Twilio's QueueTime."""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from hotline.auth.models import User
from hotline.clock import FixedClock
from hotline.directory.models import CustomerAccount, CustomerPhone
from hotline.extensions import db
from ivr import agent_states, day_plan
from ivr.day_agents import AgentsMixin, SimAgent
from ivr.driver import post, parse, read

STATUS_PATH = "/webhooks/twilio/call-status"


@dataclass
class SimCall:
    plan: day_plan.CallerPlan
    sid: str
    phone: str
    account_number: str | None
    started: float = 0.0
    state: str = "ivr"  # ivr, prompt (hold prompt before Enqueue), queued, bridged, done
    queue: dict | None = None  # the Enqueue: name, waitUrl, action
    asked_at: float | None = None
    enqueued_at: float | None = None  # Twilio really queued the caller (prompt spoken)
    queue_time: int | None = None  # Twilio's QueueTime at the bridge
    agent: SimAgent | None = None
    served: bool = False  # heard a self-service answer
    english: bool = False  # switched the menus to English
    silences: int = 0
    sequence: int = 1
    epoch: int = 0  # bumps when the call's queue state changes (stale timers skip)

    def params(self, **extra: str) -> dict[str, str]:
        return {"AccountSid": "AC" + "0" * 32, "CallSid": self.sid, "From": self.phone,
                "To": "+861012345", "Direction": "inbound", "CallStatus": "in-progress",
                "ApiVersion": "2010-04-01", **extra}


@dataclass
class SimResult:
    calls: list[SimCall] = field(default_factory=list)
    requests: int = 0
    finished: bool = True  # False: stopped at the wall-clock budget
    wall_seconds: float = 0.0


class DaySimulation(AgentsMixin):
    def __init__(self, app: Flask, *, day: date, zone: tzinfo, calls_count: int,
                 agents: list[User], seed: int = 1, max_seconds: float = 600,
                 progress: Callable[[str], None] | None = None) -> None:
        self.app, self.zone = app, zone
        self.rng = random.Random(seed)
        self.day_start, _end = day_plan.day_bounds(day, zone)
        self.clock = FixedClock(self.day_start)
        self.max_seconds, self.progress = max_seconds, progress or (lambda _m: None)
        self.wrap_up = agent_states.wrap_up_of(app.config).total_seconds()
        self.plans = day_plan.callers(self.rng, calls_count)
        self.agents = [SimAgent(u.id, u.username, s) for u, s in
                       zip(agents, day_plan.shifts(self.rng, len(agents)))]
        self.twilio_queues: dict[str, list[SimCall]] = {}
        self.result = SimResult()
        self.t = 0.0
        self._heap: list = []
        self._seq = 0
        self._done = 0
        self._known = self._directory()
        self.sid_tag = f"{day:%Y%m%d}{seed:04d}"[-12:]
        self._last_heartbeat = -1e9

    # The event loop ----------------------------------------------------------------------

    def at(self, t: float, fn: Callable, *args) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (max(t, self.t), self._seq, fn, args))

    def run(self) -> SimResult:
        """Play the day. The app's clock is swapped for the simulated one meanwhile."""
        real_clock = self.app.extensions["hotline.clock"]
        self.app.extensions["hotline.clock"] = self.clock
        started = time.monotonic()
        try:
            for plan in self.plans:
                self.at(plan.at, self.start_call, plan)
            self.schedule_agents()
            next_report = 0.0
            while self._heap:
                if time.monotonic() - started > self.max_seconds:
                    self.result.finished = False
                    break
                self.t, _seq, fn, args = heapq.heappop(self._heap)
                self.clock.set(day_plan.moment(self.day_start, self.t))
                fn(*args)
                if self.t >= next_report:
                    next_report = self.t + 1800
                    self.report_progress()
        finally:
            self.app.extensions["hotline.clock"] = real_clock
            self.result.wall_seconds = time.monotonic() - started
        return self.result

    def report_progress(self) -> None:
        local = day_plan.moment(self.day_start, self.t).astimezone(self.zone)
        waiting = sum(len(q) for q in self.twilio_queues.values())
        self.progress(f"{local:%H:%M}  calls {self._done}/{len(self.plans)} done, "
                      f"{waiting} queued, {self.result.requests} webhooks")

    def post(self, path: str, params: dict[str, str]) -> str:
        self.heartbeat()
        db.session.rollback()  # no open snapshot while the webhook writes
        self.result.requests += 1
        return post(path, params)

    # Callers -----------------------------------------------------------------------------

    def _directory(self) -> list[tuple[str, str]]:
        rows = db.session.execute(
            select(CustomerPhone.e164, CustomerAccount.account_number)
            .join(CustomerAccount, CustomerPhone.account_id == CustomerAccount.id)
            .order_by(CustomerPhone.id).limit(5000)).all()
        return [(r[0], r[1]) for r in rows]

    def start_call(self, plan: day_plan.CallerPlan) -> None:
        if plan.known and self._known:
            phone, account = self.rng.choice(self._known)
        else:
            phone, account = f"+86171{self.rng.randrange(10**8):08d}", None
        call = SimCall(plan, f"CAsim{self.sid_tag}{plan.n:017d}"[:34], phone, account,
                       started=self.t)
        self.result.calls.append(call)
        self.at(self.t + self.rng.uniform(0.2, 1.5), self.status, call, "in-progress")
        self.answer(call, self.post("/ivr/voice", call.params(CallStatus="ringing")))

    def answer(self, call: SimCall, body: str) -> None:
        """Twilio runs the TwiML: speaks, then does what the next verb says."""
        step = read(parse(body))
        spoken = day_plan.speaking_seconds([(s.text, s.language) for s in step.says])
        after = self.t + spoken
        kind = step.next.get("type")
        if call.state == "done":
            return
        if kind == "redirect":
            if urlsplit(step.next["url"]).path == "/ivr/main":
                call.served = True
            self.at(after, self.follow, call, step.next["url"], {})
        elif kind == "gather":
            self.gather(call, step.next, spoken)
        elif kind == "queue":
            self.ask_for_agent(call, step.next, after)
        elif kind == "record":
            self.record(call, step.next, after)
        elif kind == "leave" and call.queue is not None:
            self.leave_queue(call, "leave", after)
        else:  # hangup, end
            self.hang_up(call, after)

    def follow(self, call: SimCall, path: str, extra: dict[str, str]) -> None:
        if call.state != "done":
            self.answer(call, self.post(path, call.params(**extra)))

    def gather(self, call: SimCall, step: dict, spoken: float) -> None:
        digits = self.choose(call, urlsplit(step["action"]).path)
        if digits == "hangup":
            self.hang_up(call, self.t + spoken * self.rng.uniform(0.3, 1.0))
        elif digits is None:  # silence: Twilio follows the Redirect after the timeout
            call.silences += 1
            self.at(self.t + spoken + 6, self.follow, call, step["timeout"] or step["action"],
                    {})
        else:
            self.at(self.t + spoken + self.rng.uniform(0.8, 3.0), self.follow, call,
                    step["action"], {"Digits": digits})

    def choose(self, call: SimCall, path: str) -> str | None:
        """What this caller keys at this menu (None: nothing; "hangup": hangs up)."""
        plan = call.plan
        if path == "/ivr/menu":
            if call.served or plan.intent == "hang_up":
                return "hangup"
            if plan.language == "en" and not call.english:
                call.english = True
                return "9"
            if plan.intent == "silent":
                return None if call.silences < 3 else "hangup"
            return day_plan.MENU_KEYS[plan.intent]
        if path == "/ivr/report":
            return "1" if plan.intent == "leak" else "2"
        if path == "/ivr/report/outage":
            return "1" if plan.takes_callback else None
        if path == "/ivr/balance":
            return (call.account_number or f"{self.rng.randrange(10**6):06d}") + "#"
        if path == "/ivr/order-status":
            return f"{self.rng.randrange(10**8):08d}#"
        if path.endswith("/verify"):
            return call.phone[-4:] if call.account_number else "0000"
        if path == "/ivr/outages":
            return "1"
        return None if call.silences < 3 else "hangup"

    def record(self, call: SimCall, step: dict, after: float) -> None:
        if call.plan.leaves_message:
            seconds = self.rng.randint(4, 40)
            self.at(after + 1 + seconds, self.follow, call, step["action"], {
                "RecordingUrl": f"https://api.twilio.com/sim/{call.sid}",
                "RecordingDuration": str(seconds)})
        elif step.get("empty"):  # an empty recording requests no action (TWILIO-NOTES)
            self.at(after + 6, self.follow, call, step["empty"], {})
        else:
            self.hang_up(call, after + 6)

    def hang_up(self, call: SimCall, at: float) -> None:
        if call.state == "done":
            return
        call.state = "done"
        call.epoch += 1
        self._done += 1
        duration = str(max(1, int(at - call.started)))
        # Late, sometimes twice, sometimes followed by a stale earlier status.
        late = at + self.rng.uniform(0.3, 8.0)
        self.at(late, self.status, call, "completed", duration)
        if self.rng.random() < 0.1:
            self.at(late + self.rng.uniform(0, 3), self.status, call, "completed", duration,
                    call.sequence)
        if self.rng.random() < 0.1:
            self.at(late + 1, self.status, call, "ringing")

    def status(self, call: SimCall, status: str, duration: str = "",
               sequence: int | None = None) -> None:
        if sequence is None:
            call.sequence += 1
            sequence = call.sequence
        extra = {"CallStatus": status, "SequenceNumber": str(sequence)}
        if duration:
            extra["CallDuration"] = duration
        self.post(STATUS_PATH, call.params(**extra))

    # The queue ---------------------------------------------------------------------------

    def ask_for_agent(self, call: SimCall, step: dict, queued_at: float) -> None:
        """`<Say>hold prompt</Say><Enqueue>`: queued once the prompt is spoken."""
        call.state, call.queue, call.asked_at = "prompt", step, self.t
        call.epoch += 1
        self.at(queued_at, self.enqueue, call, call.epoch)
        self.at(self.t + call.plan.patience, self.abandon, call)
        self.dispatch_agents()

    def enqueue(self, call: SimCall, epoch: int) -> None:
        if call.state != "prompt" or call.epoch != epoch:
            return
        call.state, call.enqueued_at = "queued", self.t
        call.epoch += 1
        name = call.queue["name"]
        self.twilio_queues.setdefault(name, []).append(call)
        waiting_agent = next((a for a in self.agents if a.state == "dialing"
                              and a.waiting_on == name), None)
        if waiting_agent is not None:  # <Dial><Queue> was waiting on the empty queue
            self.bridge(call, waiting_agent)
        else:
            self.wait(call, call.epoch)

    def wait(self, call: SimCall, epoch: int) -> None:
        """A wait-URL request (the first, QueueTime=0, is the moment R1 counts from)."""
        if call.state != "queued" or call.epoch != epoch:
            return
        queue = self.twilio_queues[call.queue["name"]]
        waited = int(self.t - call.enqueued_at)
        body = self.post(call.queue["waitUrl"], call.params(
            QueuePosition=str(queue.index(call) + 1), QueueTime=str(waited),
            AvgQueueTime="30", CurrentQueueSize=str(len(queue))))
        step = read(parse(body))
        spoken = day_plan.speaking_seconds([(s.text, s.language) for s in step.says])
        if step.next.get("type") == "gather" and call.plan.takes_callback:
            self.at(self.t + spoken + 1, self.press_for_callback, call, call.epoch,
                    step.next["action"])
        else:  # the wait TwiML ran out (pause or unanswered gather): Twilio asks again
            self.at(self.t + spoken + (5 if step.next.get("type") == "gather" else 10),
                    self.wait, call, call.epoch)

    def press_for_callback(self, call: SimCall, epoch: int, action: str) -> None:
        if call.state == "queued" and call.epoch == epoch:
            self.answer(call, self.post(action, call.params(Digits="1")))

    def leave_queue(self, call: SimCall, result: str, at: float) -> None:
        """The caller left the queue: Twilio requests the Enqueue action."""
        self._unqueue(call)
        body = self.post(call.queue["action"], call.params(QueueResult=result))
        call.state = "ivr"
        self.answer(call, body)
        self.hang_up(call, max(at, self.t))

    def abandon(self, call: SimCall) -> None:
        if call.state == "prompt":  # hung up during the hold prompt: only the status
            self.hang_up(call, self.t)
        elif call.state == "queued":
            self._unqueue(call)
            self.post(call.queue["action"], call.params(
                QueueResult="hangup", QueueTime=str(int(self.t - call.enqueued_at))))
            self.hang_up(call, self.t)

    def _unqueue(self, call: SimCall) -> None:
        queue = self.twilio_queues.get(call.queue["name"], [])
        if call in queue:
            queue.remove(call)
        call.epoch += 1

    def bridge(self, call: SimCall, agent: SimAgent) -> None:
        """Twilio dequeues the caller to the agent: the `<Queue url>` request on the
        caller's leg, with Twilio's whole-second QueueTime."""
        self._unqueue(call)
        call.state, call.agent = "bridged", agent
        call.queue_time = int(self.t - call.enqueued_at)
        self.post(agent.queue_url, call.params(
            QueueTime=str(call.queue_time), DequeingCallSid=agent.leg_sid,
            QueueSid="QU" + "0" * 32))
        agent.state, agent.waiting_on = "on_call", ""
        agent.epoch += 1  # its give-up timer no longer applies
        self.at(self.t + call.plan.talk, self.end_bridged, call)

    def end_bridged(self, call: SimCall) -> None:
        """The bridged call is over: the Enqueue action comes now, the status late."""
        self.post(call.queue["action"], call.params(
            QueueResult="bridged", QueueTime=str(call.queue_time)))
        self.hang_up(call, self.t)
        self.agent_finished(call.agent)
