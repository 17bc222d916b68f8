"""Wiring of Twilio's callbacks (`/webhooks/twilio/...`)."""

from __future__ import annotations

from flask import Flask

from webhooks import models  # noqa: F401 (tables)
from webhooks.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
