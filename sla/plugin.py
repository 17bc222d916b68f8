"""SLA wiring: models for the metadata. The clock process, CLI and watch register here."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from sla import models  # noqa: F401
