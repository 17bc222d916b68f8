"""Cookie sessions for the console; none for machine-to-machine blueprints (Twilio's
webhooks), which carry no cookie and need no session: opening and re-signing one on
every webhook cost as much as the voice URL's database work."""

from __future__ import annotations

from flask import Blueprint, Flask, Request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

SESSIONLESS = "hotline_sessionless"


def sessionless(bp: Blueprint) -> Blueprint:
    """Requests under this blueprint's URL prefix get an empty session that is never
    saved. (The session opens before the URL is matched: the prefix, not the endpoint.)"""
    if not bp.url_prefix:
        raise ValueError(f"blueprint {bp.name} needs a url_prefix to go without sessions")
    setattr(bp, SESSIONLESS, True)
    return bp


def sessionless_prefixes(app: Flask) -> tuple[str, ...]:
    prefixes = app.extensions.get(SESSIONLESS)
    if prefixes is None:
        prefixes = app.extensions[SESSIONLESS] = tuple(
            bp.url_prefix.rstrip("/") + "/" for bp in app.blueprints.values()
            if getattr(bp, SESSIONLESS, False) and bp.url_prefix)
    return prefixes


class HotlineSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path.startswith(sessionless_prefixes(app)):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response) -> None:
        if self.is_null_session(session):
            return
        super().save_session(app, session, response)
