"""The composition root: builds the Flask app and wires every package together."""

from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import get_locale, refresh
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline import config as config_module
from hotline import errors, i18n, logging as hotline_logging
from hotline.clock import SystemClock
from hotline.extensions import csrf, db, login_manager
from hotline.web import security
from hotline.web.flask_app import HotlineFlask
from hotline.web.sessions import HotlineSessionInterface, sessionless_prefixes

# Feature packages in dependency order (core first). Each has `<package>.plugin.init_app`.
PACKAGES = ["hotline", "sla", "workorders", "ivr", "webhooks"]

ROLE_LABELS = {
    "agent": _l("Agent"),
    "staff": _l("Department staff"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "HOTLINE_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    app = HotlineFlask("hotline", instance_path=os.path.abspath(instance_path),
                       instance_relative_config=True)
    app.config.update(config_module.load(app.instance_path, config))
    if app.config["DATABASE_URL"].startswith("sqlite"):
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("HOTLINE_PROXY_FIX", True):
        # Twilio signs the public URL: trust the proxy's proto and host (TWILIO-NOTES), and
        # its client address (login throttling per address, hotline.auth.throttle).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    app.session_interface = HotlineSessionInterface()
    hotline_logging.configure(app.config.get("LOG_LEVEL", "INFO"))
    app.extensions["hotline.clock"] = app.config.get("CLOCK") or SystemClock()
    db.init_app(app)
    # CSRF is checked in `_request_setup` (Flask-WTF's own check, with its exemptions), not
    # by Flask-WTF's hook: machine endpoints skip it with the rest of the console's setup.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    i18n.init_app(app, PACKAGES)
    errors.register(app)

    from hotline import api

    api.init_app(app)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.globals["get_locale"] = get_locale

    app.before_request(_request_setup)
    for name in PACKAGES:
        plugin = importlib.import_module(f"{name}.plugin")
        plugin.init_app(app)
    wire(app)
    security.init_app(app)  # after _request_setup: enforces each route's declared access
    return app


# What Flask-WTF and Flask-Login cache on `g`. Our own per-request caches live on `request`.
REQUEST_CACHE_KEYS = ("csrf_token", "_login_user")


def _request_setup() -> None:
    """Machine endpoints (Twilio's, signed and sessionless: hotline.web.sessions) need none
    of this. Console requests: `g` lives on the app context, which an outer context (a CLI
    command, a test) can share across requests, so each request starts without the previous
    one's token, user or locale; then the CSRF check, after the locale so that its error
    page is in the user's language."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if req.path.startswith(sessionless_prefixes(app)):
        return
    for key in REQUEST_CACHE_KEYS:
        g.pop(key, None)
    refresh()
    if app.config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def wire(app: Flask) -> None:
    """Plug packages into each other where the dependency rule needs a protocol."""
    for name in PACKAGES:
        plugin = importlib.import_module(f"{name}.plugin")
        hook = getattr(plugin, "wire", None)
        if hook is not None:
            hook(app)
