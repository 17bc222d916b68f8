"""Wiring of this package into the app (filled in by its feature issue)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    return None
