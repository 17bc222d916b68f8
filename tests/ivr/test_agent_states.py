"""Agent states (DESIGN.md "People at work", issue 11 item 2): only an available agent is
bridged and counted; a bridged agent is on call, then in wrap-up for IVR_WRAP_UP_SECONDS,
then available again; breaks carry a reason; every change is recorded with its time."""

from datetime import timedelta

from sqlalchemy import select

from ivr import agent_states
from ivr.calls import agents_available
from ivr.models import AgentPresence, AgentStateChange
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.ivr.conftest import check_twiml
from tests.ivr.test_queue_and_agents import _call, _queued

WRAP = timedelta(seconds=30)  # the default IVR_WRAP_UP_SECONDS


def _choose(client, state, reason=""):
    token = csrf_token_from(client.get("/softphone").get_data(as_text=True))
    return client.post("/softphone/availability",
                       data={"state": state, "reason": reason, "csrf_token": token})


def _dial_agent(twilio_post, username="wang"):
    response = twilio_post("/ivr/agent", {"CallSid": "CAagent", "From": f"client:{username}",
                                          "To": "APxxx"})
    return check_twiml(response.get_data(as_text=True))


def _changes(session, user):
    session.expire_all()
    return [(c.state, c.reason, c.at) for c in session.scalars(
        select(AgentStateChange).where(AgentStateChange.user_id == user.id)
        .order_by(AgentStateChange.at, AgentStateChange.id))]


def test_on_call_then_wrap_up_then_available_again(make_caller, session, clock, twilio_post,
                                                    client, login_as, desk):
    agent = make_user(session, role="agent", username="wang", locale="en")
    session.commit()
    login_as(agent)
    start = clock.now()
    assert _choose(client, "available").status_code == 302
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 1
    caller, step = _queued(make_caller)
    clock.advance(seconds=5)
    queue = _dial_agent(twilio_post).find("Dial/Queue")
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="5")
    bridged = clock.now()
    # On a call: not counted, not bridged again, and a leak now goes to voicemail.
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 0
    refused = _dial_agent(twilio_post)
    assert refused.find("Dial") is None and refused.find("Hangup") is not None
    assert "You are not available" in refused.find("Say").text
    leak = make_caller("+8613700000021")
    leak.request("/ivr/voice?lang=en")
    leak.press("4")
    assert leak.press("1")["type"] == "record"
    clock.advance(seconds=120)
    client.get("/softphone/current")  # the console polls during the call
    caller.request(step["action"], QueueResult="bridged")
    ended = clock.now()
    twilio_post(step["action"], caller.params(QueueResult="bridged"))  # a replay: no change
    # Wrap-up: not available for IVR_WRAP_UP_SECONDS, then available (computed).
    clock.advance(seconds=29)
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 0
    assert _dial_agent(twilio_post).find("Dial") is None
    clock.advance(seconds=1)
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 1
    client.get("/softphone/current")  # the console's poll records the end of the wrap-up
    assert _changes(session, agent) == [
        ("available", "", start), ("on_call", "", bridged), ("wrap_up", "", ended),
        ("available", "", ended + WRAP)]
    assert _call(session, caller.sid).agent_id == agent.id


def test_a_completed_status_callback_starts_the_wrap_up(make_caller, session, clock,
                                                        twilio_post):
    from ivr.calls import set_availability

    agent = make_user(session, role="agent", username="wang")
    set_availability(session, agent, True, now=clock.now())
    session.commit()
    caller, _step = _queued(make_caller)
    queue = _dial_agent(twilio_post).find("Dial/Queue")
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="1")
    clock.advance(seconds=60)
    twilio_post("/webhooks/twilio/call-status", caller.params(CallStatus="completed",
                                                              CallDuration="70"))
    session.expire_all()
    presence = session.get(AgentPresence, agent.id)
    assert (presence.state, presence.changed_at) == ("wrap_up", clock.now())


def test_a_break_has_a_reason_and_is_not_bridged(session, clock, twilio_post, client,
                                                 login_as, make_caller):
    agent = make_user(session, role="agent", username="wang", locale="en")
    session.commit()
    login_as(agent)
    _choose(client, "available")
    _queued(make_caller)
    clock.advance(minutes=1)
    assert _choose(client, "break").status_code == 422  # no reason: nothing changes
    assert _choose(client, "lunch_nap", "meal").status_code == 422
    assert agent_states.is_available(session, agent, clock.now(), WRAP)
    assert _choose(client, "break", "meal").status_code == 302
    assert agents_available(session, clock.now(), wrap_up=WRAP) == 0
    assert _dial_agent(twilio_post).find("Dial") is None
    page = client.get("/softphone").get_data(as_text=True)
    assert 'data-state="break"' in page and "(Meal)" in page
    clock.advance(minutes=30)
    _choose(client, "offline")
    assert [(s, r) for s, r, _at in _changes(session, agent)] == [
        ("available", ""), ("break", "meal"), ("offline", "")]


def test_the_break_reason_in_mandarin(session, client, login_as):
    login_as(make_user(session, role="agent", username="wang", locale="zh_CN"))
    _choose(client, "break", "training")
    page = client.get("/softphone").get_data(as_text=True)
    assert "休息中" in page and "(培训)" in page


def test_the_wallboard_shows_each_agents_state_and_time_in_state(
        make_caller, session, clock, twilio_post, client, login_as):
    from ivr.calls import set_availability

    wang = make_user(session, role="agent", username="wang", display_name="王芳")
    li = make_user(session, role="agent", username="li", display_name="李雷")
    make_user(session, role="agent", username="zhao", display_name="赵六")  # never signed in
    boss = make_user(session, role="supervisor", username="boss", locale="en")
    set_availability(session, wang, True, now=clock.now())
    set_availability(session, li, True, now=clock.now())
    agent_states.choose_state(session, li, "break", "meeting", now=clock.now(), wrap_up=WRAP)
    session.commit()
    caller, _step = _queued(make_caller)
    queue = _dial_agent(twilio_post).find("Dial/Queue")
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="1")
    clock.advance(seconds=95)
    login_as(boss)
    page = client.get("/sla/wallboard").get_data(as_text=True)
    rows = page[page.index('id="agent-states"'):]
    assert '<tr data-state="on_call"><td>王芳</td><td>On a call</td><td>1:35</td>' in rows
    assert '<tr data-state="break"><td>李雷</td><td>On a break (Meeting)</td><td>1:35</td>' \
        in rows
    assert "赵六" not in rows


def test_per_agent_figures_of_a_day(make_caller, session, clock, twilio_post, client,
                                    login_as):
    from ivr.calls import set_availability

    wang = make_user(session, role="agent", username="wang", display_name="王芳")
    set_availability(session, wang, True, now=clock.now())
    boss = make_user(session, role="supervisor", username="boss", locale="en")
    session.commit()
    caller, step = _queued(make_caller)
    clock.advance(seconds=5)
    queue = _dial_agent(twilio_post).find("Dial/Queue")
    caller.request(queue.get("url"), QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="5")
    clock.advance(seconds=120)
    caller.request(step["action"], QueueResult="bridged")
    twilio_post("/webhooks/twilio/call-status", caller.params(CallStatus="completed",
                                                              CallDuration="130"))
    clock.advance(minutes=5)
    agent_states.choose_state(session, wang, "break", "meal", now=clock.now(), wrap_up=WRAP)
    clock.advance(minutes=10)
    agent_states.choose_state(session, wang, "available", now=clock.now(), wrap_up=WRAP)
    session.commit()
    login_as(boss)
    page = client.get("/telephony/agents").get_data(as_text=True)
    # answered 1; handle time = 120 s talk + 30 s wrap-up; answer speed 5 s; break 10 min
    assert ("<tr><td>王芳</td><td>1</td><td>2:30</td><td>5.0</td><td>0:30</td>"
            "<td>10:00</td></tr>") in page
    other_day = client.get("/telephony/agents?day=2026-11-20").get_data(as_text=True)
    assert "王芳" not in other_day and "No agent worked that day." in other_day
    month = client.get("/telephony/agents?day=2026-11-20&period=month").get_data(as_text=True)
    assert "<tr><td>王芳</td><td>1</td><td>2:30</td>" in month
    assert "王芳" not in client.get("/telephony/agents?day=2026-12-01&period=month"
                                  ).get_data(as_text=True)
    agent_states.choose_state(session, wang, "offline", now=clock.now(), wrap_up=WRAP)
    session.commit()
    later = client.get("/telephony/agents?day=2026-11-26").get_data(as_text=True)
    assert "王芳" not in later  # offline all day
    bad = client.get("/telephony/agents?day=24/11")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    login_as(wang)
    assert client.get("/telephony/agents").status_code == 403
