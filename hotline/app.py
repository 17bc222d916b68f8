"""The composition root: builds the Flask app, calls each package's `init_app` by name, in
dependency order, then `wire` states every link between packages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import get_locale, refresh
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

import hotline
import ivr
import sla
import webhooks
import workorders
from hotline import api, config as config_module, errors, i18n, logging as hotline_logging
from hotline import plugin as hotline_plugin
from hotline import registry as hotline_registry
from hotline.clock import SystemClock
from hotline.extensions import csrf, db, login_manager
from hotline.web import security
from hotline.web.sessions import HotlineSessionInterface, sessionless_prefixes
from ivr import plugin as ivr_plugin
from ivr.api import household_calls_api
from ivr.call_list import calls_link
from ivr.ports import IvrPorts
from ivr.sla_source import IvrCallSource, agent_board
from sla import plugin as sla_plugin
from sla.clusters import describe_clusters
from sla.ports import SlaPorts
from webhooks import plugin as webhooks_plugin
from workorders import plugin as workorders_plugin
from workorders.desk import WorkOrderDesk
from workorders.panels import household_orders_api
from workorders.rules.catalog import CATEGORY_CODES
from workorders.sla_ports import ORDER_TABLE, SUBJECT_TYPE, cluster_candidates, describe_orders
from workorders.links import orders_link
from workorders.stats import order_backlog, order_figures, order_report

# Feature packages in dependency order (core first): their translations and migrations.
PACKAGES = (hotline, sla, workorders, ivr, webhooks)
PACKAGE_NAMES = tuple(p.__name__ for p in PACKAGES)

ROLE_LABELS = {
    "agent": _l("Agent"),
    "staff": _l("Department staff"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "HOTLINE_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    app = Flask("hotline", instance_path=os.path.abspath(instance_path),
                instance_relative_config=True)
    app.config.update(config_module.load(app.instance_path, config))
    if app.config["DATABASE_URL"].startswith("sqlite"):
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config["HOTLINE_PROXY_FIX"]:
        # Twilio signs the public URL: trust the proxy's proto and host (TWILIO-NOTES), and
        # its client address (login throttling per address, hotline.auth.throttle).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    registry = hotline_registry.init_app(app)
    registry.packages = {p.__name__: Path(p.__file__).parent for p in PACKAGES}
    app.session_interface = HotlineSessionInterface()
    hotline_logging.configure(app.config["LOG_LEVEL"], PACKAGE_NAMES)
    app.extensions["hotline.clock"] = app.config.get("CLOCK") or SystemClock()
    db.init_app(app)
    # CSRF is checked in `_request_setup` (Flask-WTF's own check, with its exemptions), not
    # by Flask-WTF's hook: machine endpoints skip it with the rest of the console's setup.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    i18n.init_app(app, list(registry.packages.values()))
    errors.register(app)
    api.init_app(app)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.globals["get_locale"] = get_locale
    app.before_request(_request_setup)

    hotline_plugin.init_app(app)
    sla_plugin.init_app(app)
    workorders_plugin.init_app(app)
    ivr_plugin.init_app(app)
    webhooks_plugin.init_app(app)
    wire(app)
    security.init_app(app)  # after _request_setup: enforces each route's declared access
    return app


def wire(app: Flask) -> None:
    """Every link between packages, in one place. `sla` watches work orders and calls
    through the ports it owns (sla/ports.py); the IVR reaches work orders through its
    order desk (ivr/ports.py)."""
    registry = hotline_registry.registry(app)
    sla_ports = registry.port(SlaPorts)
    sla_ports.subjects["cluster"] = describe_clusters
    sla_ports.subjects[SUBJECT_TYPE] = describe_orders
    sla_ports.subject_tables[SUBJECT_TYPE] = ORDER_TABLE
    sla_ports.clusters = cluster_candidates
    sla_ports.order_stats = order_figures
    # Reports and charts: the month's order figures, the backlog trend, and the lists a
    # figure clicks through to.
    sla_ports.order_report = order_report
    sla_ports.order_backlog = order_backlog
    sla_ports.orders_link = orders_link
    sla_ports.calls_link = calls_link
    sla_ports.categories.update(CATEGORY_CODES)
    sla_ports.calls = IvrCallSource()
    sla_ports.agent_board = agent_board  # the wallboard's agents and their states
    registry.port(IvrPorts).order_desk = WorkOrderDesk()
    # R30: the API's household file lists the household's orders and calls.
    registry.household_lists["orders"] = household_orders_api
    registry.household_lists["calls"] = household_calls_api


# What Flask-WTF and Flask-Login cache on `g`. Our own per-request caches live on `request`.
REQUEST_CACHE_KEYS = ("csrf_token", "_login_user")


def _request_setup() -> None:
    """Machine endpoints (Twilio's, signed and sessionless: hotline.web.sessions) need none
    of this. Console requests: `g` lives on the app context, which an outer context (a CLI
    command, a test) can share across requests, so each request starts without the previous
    one's token, user or locale; then the CSRF check, after the locale so that its error
    page is in the user's language."""
    if request.path.startswith(sessionless_prefixes(current_app)):
        return
    for key in REQUEST_CACHE_KEYS:
        g.pop(key, None)
    refresh()
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)
