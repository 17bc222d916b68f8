"""Wiring of the IVR: voice webhooks, the agent console, the phone simulator, the
household file's calls."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from hotline import api
from hotline.extensions import db
from hotline.auth import roles
from hotline.registry import CustomerSection, NavItem, OrderSection, registry
from ivr import labels, models, simulator  # noqa: F401 (tables)
from ivr import queue_views, voicemail  # noqa: F401 (their views are on voice_bp)
from ivr.api import bp as api_bp
from ivr.call_list import bp as call_list_bp
from ivr.calls import recent_calls_from
from ivr.console import bp as console_bp
from ivr.recording_views import bp as recordings_bp
from ivr.recording_views import order_recording
from ivr.sim_cli import simulate_command
from ivr.simulator import bp as simulator_bp
from ivr.voice import bp as voice_bp


def init_app(app: Flask) -> None:
    labels.init_app(app)
    for blueprint in (voice_bp, console_bp, simulator_bp, call_list_bp, recordings_bp):
        app.register_blueprint(blueprint)
    api.register_blueprint(api_bp)
    app.cli.add_command(simulate_command)
    reg = registry(app)
    reg.customer_sections.append(CustomerSection("ivr/_household_calls.html",
                                                 household_calls, order=30))
    reg.order_sections.append(OrderSection("ivr/_order_recording.html", order_recording,
                                           order=10))
    reg.nav += [
        NavItem("ivr_console.softphone", _l("Softphone"), roles.HOTLINE, order=20),
        NavItem("ivr_console.callbacks", _l("Callbacks"), roles.HOTLINE, order=22),
        NavItem("ivr_calls.index", _l("Calls"), roles.HOTLINE, order=23),
        NavItem("ivr_console.outbox", _l("Messages"), roles.HOTLINE, order=24),
        NavItem("ivr_console.agent_day", _l("Agents by day"), roles.SUPERVISION, order=25),
    ]
    if simulator.enabled(app):
        reg.nav.append(NavItem("ivr_simulator.page", _l("Phone simulator"), simulator.ROLES,
                               order=26))


def household_calls(account, user) -> dict:
    """R30: the household file holds its calls (from any of its phones)."""
    calls = [c for phone in account.phones for c in recent_calls_from(db.session, phone.e164)]
    return {"calls": sorted(calls, key=lambda c: c.started_at, reverse=True)[:20]}
