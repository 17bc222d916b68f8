"""`hotline simulate`: play a day of calls through the signed webhooks on simulated time
(`ivr.day_sim`), then print each answered call's R1 answer time as the wallboard counts it
next to Twilio's QueueTime (they must agree within a second), the outcomes and the agents'
recorded states. Outbox mode only (simulated callers are never really texted or called),
and never in production unless the phone simulator is enabled there."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from hotline.auth.models import User
from hotline.extensions import db
from ivr import day_plan, simulator
from ivr.day_check import TOLERANCE, check_day
from ivr.day_sim import DaySimulation
from ivr.models import Call

MAX_CALLS = 20000
MAX_AGENTS = 50


def _day(value: str | None, zone: ZoneInfo) -> date:
    if value is None:
        return datetime.now(zone).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-30",
                                 param_hint="--date") from None


def _agents(count: int | None) -> list[User]:
    agents = list(db.session.scalars(
        select(User).where(User.role == "agent", User.active.is_(True))
        .order_by(User.username).limit(count or 12)))
    if not agents:
        raise click.ClickException(
            "no active agent accounts to answer the calls: create some with "
            "`hotline users create NAME --role agent` or load the demo data")
    return agents


@click.command("simulate")
@click.option("--calls", "calls_count", type=int, default=600, show_default=True,
              help=f"calls in the day (1-{MAX_CALLS})")
@click.option("--agents", "agent_count", type=int, default=None,
              help=f"agents working (1-{MAX_AGENTS}; default: up to 12 active agents)")
@click.option("--seed", type=int, default=1, show_default=True, help="random seed")
@click.option("--date", "day", default=None, help="the local day, YYYY-MM-DD (default today)")
@click.option("--max-seconds", type=float, default=900, show_default=True,
              help="wall-clock budget; the day stops there if not done")
@click.option("--quiet", is_flag=True, help="no progress lines, no per-call lines")
@with_appcontext
def simulate_command(calls_count: int, agent_count: int | None, seed: int, day: str | None,
                     max_seconds: float, quiet: bool) -> None:
    """Play a day of synthetic calls through the IVR's signed webhooks."""
    app = current_app._get_current_object()
    if not 1 <= calls_count <= MAX_CALLS:
        raise click.BadParameter(f"must be between 1 and {MAX_CALLS}", param_hint="--calls")
    if agent_count is not None and not 1 <= agent_count <= MAX_AGENTS:
        raise click.BadParameter(f"must be between 1 and {MAX_AGENTS}",
                                 param_hint="--agents")
    if not 0 < max_seconds <= 24 * 3600:
        raise click.BadParameter("must be between 0 and 86400 seconds",
                                 param_hint="--max-seconds")
    if not simulator.enabled(app):
        raise click.ClickException(
            "simulate runs in outbox mode only, and in production only with "
            "HOTLINE_SIMULATOR=1: simulated callers must never be texted or called")
    zone = ZoneInfo(app.config["HOTLINE_TIMEZONE"])
    the_day = _day(day, zone)
    sim = DaySimulation(app, day=the_day, zone=zone, calls_count=calls_count,
                        agents=_agents(agent_count), seed=seed, max_seconds=max_seconds,
                        progress=None if quiet else (lambda m: click.echo(m, err=True)))
    if db.session.scalar(select(Call.id).where(Call.call_sid.like(f"CAsim{sim.sid_tag}%"))):
        raise click.ClickException(
            f"{the_day} was already simulated with seed {seed}: choose another --seed "
            "or --date")
    base = app.config.get("HOTLINE_PUBLIC_URL") or "http://localhost"
    with app.test_request_context("/", base_url=base):  # the URL the webhooks are signed for
        result = sim.run()
    start, end = day_plan.day_bounds(the_day, zone)
    report = check_day(db.session, {c.sid: c.queue_time for c in result.calls
                                    if c.queue_time is not None}, start, end)
    if not quiet:
        click.echo("call                                 wallboard R1   Twilio QueueTime   "
                   "difference")
        for check in report.checks:
            click.echo(f"{check.call_sid:<36} {check.wallboard_seconds:>10.3f} s "
                       f"{check.twilio_queue_time:>12d} s {check.difference:>12.3f} s")
    click.echo(f"Simulated {the_day}: {len(result.calls)} of {calls_count} calls, "
               f"{result.requests} webhooks, {len(sim.agents)} agents, "
               f"{result.wall_seconds:.0f} s" + ("" if result.finished else
                                                  " (stopped at --max-seconds)"))
    click.echo("Outcomes: " + ", ".join(f"{k} {v}" for k, v in
                                        sorted(report.outcomes.items())))
    click.echo("Agent state changes: " + ", ".join(f"{k} {v}" for k, v in
                                                   sorted(report.states.items()))
               + "; breaks: " + ", ".join(f"{k} {v}" for k, v in
                                          sorted(report.breaks.items())))
    click.echo(f"R1 vs Twilio QueueTime: {len(report.checks)} answered calls, max difference "
               f"{report.max_difference:.3f} s, {len(report.over_tolerance)} over "
               f"{TOLERANCE:g} s, {len(report.missing)} missing from the wallboard")
    if report.over_tolerance or report.missing:
        raise click.ClickException("the wallboard's answer times disagree with Twilio's")
