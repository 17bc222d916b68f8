"""`hotline simulate` (issue 11, "Done when"): a short simulated day through the signed
webhooks, with callers who hang up, agents on breaks and Twilio's timing; per answered call
the wallboard's R1 equals Twilio's QueueTime within a second."""

import pytest
from sqlalchemy import func, select

from ivr.models import AgentStateChange, Call
from tests.factories import make_area, make_customer, make_user


@pytest.fixture
def utility(session):
    area = make_area(session, code="DX")
    for n in range(6):
        make_customer(session, area=area, phones=(f"+86139000000{n:02d}",))
    agents = [make_user(session, role="agent", username=f"agent{n}") for n in range(3)]
    session.commit()
    return agents


def run(app, *args):
    return app.test_cli_runner().invoke(args=["simulate", *args])


def test_a_short_day_agrees_with_twilio_and_records_agent_states(app, session, utility,
                                                                  clock):
    before = clock.now()
    result = run(app, "--calls", "40", "--agents", "3", "--seed", "7", "--date",
                 "2026-11-24")
    out = result.output
    assert result.exit_code == 0, out
    summary = out.splitlines()[-1]
    assert "over 1 s, 0 missing" in summary and ", 0 over" in summary, out
    answered = int(summary.split(": ")[1].split(" answered")[0])
    assert answered >= 5, out  # agents answered calls, each one compared
    rows = session.scalars(select(Call).where(Call.call_sid.like("CAsim%"),
                                              Call.answered_at.is_not(None))).all()
    assert len(rows) == answered
    for call in rows:  # the figure the wallboard shows vs Twilio's QueueTime
        r1 = (call.answered_at - call.entered_queue_at).total_seconds()
        assert abs(r1 - call.twilio_queue_time) < 1.0
    states = dict(session.execute(select(AgentStateChange.state, func.count())
                                  .group_by(AgentStateChange.state)).all())
    assert {"available", "on_call", "wrap_up", "break", "offline"} <= set(states), states
    reasons = set(session.scalars(select(AgentStateChange.reason).where(
        AgentStateChange.state == "break")))
    assert "meal" in reasons
    outcomes = set(session.scalars(select(Call.outcome).where(Call.call_sid.like("CAsim%"))))
    assert {"answered", "self_served", "abandoned"} <= outcomes, outcomes
    assert clock.now() == before  # the app's own clock is back


@pytest.mark.parametrize("args, message", [
    (["--calls", "0"], "--calls"), (["--agents", "99"], "--agents"),
    (["--date", "30/11/2026"], "YYYY-MM-DD"), (["--max-seconds", "-1"], "--max-seconds")])
def test_bad_options_are_named(app, session, utility, args, message):
    result = run(app, *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert session.scalar(select(func.count()).select_from(Call)) == 0


def test_no_agents_is_a_clear_error(app, session):
    result = run(app, "--calls", "5")
    assert result.exit_code != 0 and "no active agent accounts" in result.output
