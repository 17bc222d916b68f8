"""Wiring of Twilio's callbacks (`/webhooks/twilio/...`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webhooks import models  # noqa: F401
    from webhooks.views import bp

    app.register_blueprint(bp)
