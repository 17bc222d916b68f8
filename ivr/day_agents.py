"""The agents of a simulated day (`ivr.day_sim`): shifts, breaks, answering through the
softphone's voice URL (`/ivr/agent`, whose `<Dial><Queue>` waits on an empty queue until a
caller is queued), on call and wrap-up. The states an agent chooses (available, break with a
reason, offline) go through `ivr.agent_states` as the softphone page would; on call and
wrap-up follow from the webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hotline.auth.models import User
from hotline.extensions import db
from ivr import agent_states, calls
from ivr.day_plan import BreakPlan, ShiftPlan
from ivr.driver import parse, read

HEARTBEAT = 60.0  # seconds: under PRESENCE_TTL, the softphone page keeps agents present
GIVE_UP = 45.0  # seconds an agent's <Dial><Queue> waits on an empty queue


@dataclass
class SimAgent:
    user_id: int
    username: str
    shift: ShiftPlan
    # off, available, reserved (about to dial), dialing (waiting on a queue), on_call,
    # wrap_up, break
    state: str = "off"
    waiting_on: str = ""
    queue_url: str = ""
    leg_sid: str = ""
    pending: tuple = ()  # ("break", BreakPlan) or ("offline",) once the call is over
    epoch: int = 0
    legs: int = 0


class AgentsMixin:
    """Mixed into `DaySimulation`: uses its `at`, `t`, `post`, `clock`, `agents`…"""

    def schedule_agents(self) -> None:
        for agent in self.agents:
            self.at(agent.shift.start, self.sign_in, agent)
            for pause in agent.shift.breaks:
                self.at(pause.start, self.start_break, agent, pause)
            self.at(agent.shift.end, self.sign_out, agent)

    def choose_state(self, agent: SimAgent, state: str, reason: str = "") -> None:
        db.session.rollback()
        user = db.session.get(User, agent.user_id)
        agent_states.choose_state(db.session, user, state, reason, now=self.clock.now(),
                                  wrap_up=timedelta(seconds=self.wrap_up))
        db.session.commit()

    def heartbeat(self) -> None:
        """The open softphone pages poll (at most every HEARTBEAT seconds, checked before
        each webhook): signed-in agents stay present, finished wrap-ups are recorded."""
        if self.t - self._last_heartbeat < HEARTBEAT:
            return
        self._last_heartbeat = self.t
        db.session.rollback()
        for agent in self.agents:
            if agent.state != "off":
                calls.touch_presence(db.session, db.session.get(User, agent.user_id),
                                     now=self.clock.now(),
                                     wrap_up=timedelta(seconds=self.wrap_up))
        db.session.commit()

    def sign_in(self, agent: SimAgent) -> None:
        self.choose_state(agent, agent_states.AVAILABLE)
        agent.state = "available"
        self.dispatch_agents()

    def sign_out(self, agent: SimAgent) -> None:
        if agent.state in ("available", "dialing", "break", "reserved"):
            self._stop_dialing(agent)
            self.choose_state(agent, agent_states.OFFLINE)
            agent.state = "off"
        elif agent.state != "off":
            agent.pending = ("offline",)

    def start_break(self, agent: SimAgent, pause: BreakPlan) -> None:
        if agent.state in ("available", "dialing", "reserved"):
            self._stop_dialing(agent)
            self._go_on_break(agent, pause)
        elif agent.state in ("on_call", "wrap_up"):
            agent.pending = ("break", pause)  # after this call

    def _go_on_break(self, agent: SimAgent, pause: BreakPlan) -> None:
        self.choose_state(agent, agent_states.BREAK, pause.reason)
        agent.state = "break"
        self.at(self.t + pause.minutes * 60, self.end_break, agent)

    def end_break(self, agent: SimAgent) -> None:
        if agent.state == "break" and self.t < agent.shift.end:
            self.choose_state(agent, agent_states.AVAILABLE)
            agent.state = "available"
            self.dispatch_agents()

    def _stop_dialing(self, agent: SimAgent) -> None:
        agent.epoch += 1
        agent.waiting_on = ""

    def agent_finished(self, agent: SimAgent) -> None:
        """The call ended (the app moved the agent to wrap-up); free after wrap-up."""
        agent.state = "wrap_up"
        self.at(self.t + self.wrap_up + 1, self.after_wrap_up, agent)

    def after_wrap_up(self, agent: SimAgent) -> None:
        if agent.state != "wrap_up":
            return
        pending, agent.pending = agent.pending, ()
        if pending and pending[0] == "offline" or self.t >= agent.shift.end:
            self.choose_state(agent, agent_states.OFFLINE)
            agent.state = "off"
        elif pending and pending[0] == "break":
            self._go_on_break(agent, pending[1])
        else:
            agent.state = "available"
            self.heartbeat_one(agent)
            self.dispatch_agents()

    def heartbeat_one(self, agent: SimAgent) -> None:
        """The softphone page polls: a finished wrap-up is recorded as it ended."""
        db.session.rollback()
        calls.touch_presence(db.session, db.session.get(User, agent.user_id),
                             now=self.clock.now(), wrap_up=timedelta(seconds=self.wrap_up))
        db.session.commit()

    def dispatch_agents(self) -> None:
        """Idle agents press "answer" while callers wait (or hear the hold prompt) and no
        other agent is already on the way to them."""
        wanting = sum(1 for c in self.result.calls if c.state in ("prompt", "queued"))
        coming = sum(1 for a in self.agents if a.state in ("reserved", "dialing"))
        idle = [a for a in self.agents if a.state == "available"]
        self.rng.shuffle(idle)
        for agent in idle[:max(0, wanting - coming)]:
            agent.state = "reserved"
            self.at(self.t + self.rng.uniform(1.0, 3.0), self.agent_dial, agent, agent.epoch)

    def agent_dial(self, agent: SimAgent, epoch: int) -> None:
        if agent.state != "reserved" or agent.epoch != epoch:
            return
        agent.legs += 1
        agent.leg_sid = f"CAagent{agent.user_id:06d}{agent.legs:06d}{self.sid_tag}"[:34]
        body = self.post("/ivr/agent", {
            "AccountSid": "AC" + "0" * 32, "CallSid": agent.leg_sid,
            "From": f"client:{agent.username}", "To": "softphone", "Direction": "inbound",
            "CallStatus": "in-progress", "ApiVersion": "2010-04-01"})
        step = read(parse(body)).next
        if step.get("type") != "dequeue":  # not available, or nobody waiting after all
            agent.state = "available"
            return
        agent.state, agent.waiting_on, agent.queue_url = "dialing", step["name"], step["url"]
        queue = self.twilio_queues.get(step["name"], [])
        if queue:
            self.bridge(queue[0], agent)
        else:  # <Dial><Queue> waits on the empty queue for the caller still on the prompt
            self.at(self.t + GIVE_UP, self.give_up, agent, agent.epoch)

    def give_up(self, agent: SimAgent, epoch: int) -> None:
        if agent.state == "dialing" and agent.epoch == epoch:
            self._stop_dialing(agent)
            agent.state = "available"
            self.dispatch_agents()
