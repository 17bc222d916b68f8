"""Hotline: the application shell and shared core (config, database, clock, auth, directory,
outages, telephony adapter, console layout, REST API registration and the `hotline` CLI)."""

from hotline.app import create_app

__all__ = ["create_app"]
