"""Wiring of the IVR: voice webhooks, the agent console, the phone simulator, the SLA
engine's call source."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from hotline.directory.views import CustomerSection, add_customer_section
from hotline.web.nav import NavItem, add_nav

DEFAULTS = {
    "IVR_CALLBACK_OFFER_SECONDS": 30,
    "IVR_CALLBACK_DUE_MINUTES": 30,
    "IVR_OUTAGE_CACHE_SECONDS": 5,
    # First-webhook call records are written in batches this often (0: in the request).
    "IVR_CALL_BATCH_SECONDS": 0.25,
    "IVR_SAY_LANGUAGE_ZH": "cmn-CN",
    "IVR_VOICE_ZH": "Polly.Zhiyu",
    "IVR_SAY_LANGUAGE_EN": "en-US",
    "IVR_VOICE_EN": "Polly.Joanna",
}
AGENT_ROLES = ("agent", "supervisor", "admin")


def init_app(app: Flask) -> None:
    from ivr import call_batch, models  # noqa: F401
    from ivr import simulator
    from ivr.console import bp as console_bp
    from ivr.simulator import bp as simulator_bp
    from ivr.voice import bp as voice_bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    call_batch.install(app)
    app.register_blueprint(voice_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(simulator_bp)
    add_customer_section(app, CustomerSection("ivr/_household_calls.html", household_calls,
                                              order=30))
    add_nav(app, NavItem("ivr_console.softphone", _l("Softphone"), AGENT_ROLES, order=20))
    add_nav(app, NavItem("ivr_console.callbacks", _l("Callbacks"), AGENT_ROLES, order=22))
    add_nav(app, NavItem("ivr_console.outbox", _l("Messages"), AGENT_ROLES, order=24))
    if simulator.enabled(app):
        add_nav(app, NavItem("ivr_simulator.page", _l("Phone simulator"), simulator.ROLES,
                             order=26))


def wire(app: Flask) -> None:
    from ivr.sla_source import IvrCallSource
    from sla.ports import register_call_source
    from workorders.desk import WorkOrderDesk

    register_call_source(app, IvrCallSource())
    app.extensions.setdefault("ivr.order_desk", WorkOrderDesk())


def household_calls(account, user) -> dict:
    """R30: the household file holds its calls (from any of its phones)."""
    from hotline.extensions import db
    from ivr.calls import recent_calls_from

    calls = [c for phone in account.phones for c in recent_calls_from(db.session, phone.e164)]
    return {"calls": sorted(calls, key=lambda c: c.started_at, reverse=True)[:20]}
