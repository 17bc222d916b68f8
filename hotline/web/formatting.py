"""Template filters: local time for people, masked phones where there is no need to know."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from hotline.directory.phones import masked


def init_app(app: Flask) -> None:
    zone = ZoneInfo(app.config["HOTLINE_TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return "—"
        return value.astimezone(zone).strftime(fmt)

    @app.template_filter("maskphone")
    def maskphone(value: str | None) -> str:
        return masked(value) if value else "—"
