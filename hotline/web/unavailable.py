"""A database that does not answer is an outage of the service, not a bug: every request
that meets it gets a 503 with Retry-After (JSON for the API and Twilio's endpoints, a small
page for the console), and the outage is logged once per window, not once per request.

The page is rendered without the console layout: the layout asks the database (the user,
the unread notifications), which is what failed.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import psycopg

from flask import Flask, Response, current_app, jsonify, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc

from hotline.errors import error_body, wants_json
from hotline.i18n import LOCALES

log = logging.getLogger("hotline.database")

# Raised when the server is down, restarting, unreachable or out of connections (psycopg's
# OperationalError / InterfaceError, the pool's timeout), and by SQLite when the file is
# locked past the busy timeout: wrapped by SQLAlchemy, or raw from a DBAPI connection taken
# with `engine.raw_connection()` (hotline.db's per-thread readers).
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
               sa_exc.DisconnectionError, sqlite3.OperationalError, psycopg.OperationalError,
               psycopg.InterfaceError)


class OutageLog:
    """Per process: the first failure of a window is logged with its cause; later ones only
    counted. The first request that goes through afterwards logs the recovery."""

    def __init__(self, window: float):
        self.window = window
        self._lock = threading.Lock()
        self.started: float | None = None
        self.last: float = 0.0
        self.refused = 0

    def failure(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            new = self.started is None or now - self.last > self.window
            if new:
                self.started, self.refused = now, 0
            self.last = now
            self.refused += 1
        if new:
            log.error("database unavailable, answering 503 until it is back: %s: %s",
                      type(error).__name__, _first_line(error))

    def success(self) -> None:
        if self.started is None:  # the usual case: one attribute read
            return
        with self._lock:
            if self.started is None:
                return
            lasted, refused = time.monotonic() - self.started, self.refused
            self.started = None
        log.warning("database available again after %.1f s; %d requests got 503",
                    lasted, refused)


def _first_line(error: BaseException) -> str:
    # The driver's message, never the statement or its parameters (personal data).
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [""])[0][:200]


POOL_LOGGERS = ("sqlalchemy.pool.impl.QueuePool", "sqlalchemy.pool.impl.NullPool",
                "sqlalchemy.pool.impl.SingletonThreadPool", "sqlalchemy.pool.impl.StaticPool",
                "sqlalchemy.pool.base")


class LostConnectionFilter(logging.Filter):
    """SQLAlchemy's pool logs a traceback for each pooled connection it cannot roll back
    when the server went away; the outage is logged once above."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, UNAVAILABLE)


def init_app(app: Flask) -> None:
    for name in POOL_LOGGERS:  # a filter acts on its own logger's records only
        pool_log = logging.getLogger(name)
        if not any(isinstance(f, LostConnectionFilter) for f in pool_log.filters):
            pool_log.addFilter(LostConnectionFilter())
    app.config.setdefault("HOTLINE_RETRY_AFTER_SECONDS", 10)
    app.config.setdefault("HOTLINE_DB_OUTAGE_LOG_SECONDS", 60)
    outages = OutageLog(float(app.config["HOTLINE_DB_OUTAGE_LOG_SECONDS"]))
    app.extensions["hotline.db_outages"] = outages
    for error in UNAVAILABLE:
        app.register_error_handler(error, database_unavailable)

    @app.teardown_appcontext
    def _release_session(error: BaseException | None) -> None:
        """Runs before Flask-SQLAlchemy's own teardown (they run in reverse order): end
        the session's transaction here, so that a server going away between the answer and
        the teardown drops the connection instead of turning the answer into a 500."""
        from hotline.extensions import db

        if not db.session.registry.has():
            return
        try:
            db.session.rollback()
        except UNAVAILABLE:
            try:
                db.session.invalidate()
            except Exception:  # nothing more to release
                pass

    @app.after_request
    def _recovered(response: Response) -> Response:
        if outages.started is not None and response.status_code < 500 and \
                request.endpoint and not request.endpoint.endswith("static"):
            outages.success()
        return response


def database_unavailable(error: Exception):
    from hotline.extensions import db

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions["hotline.db_outages"].failure(error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: drop the session's hold on it
        db.session.remove()
    retry = str(int(app.config["HOTLINE_RETRY_AFTER_SECONDS"]))
    with force_locale(_page_locale(app)):
        message = _("The database is not answering. Please try again in a moment.")
        if wants_json():
            response = jsonify(error_body("database_unavailable", message))
        else:
            page = app.jinja_env.get_template("errors/unavailable.html").render(
                message=message, retry=retry, title=_("Temporarily unavailable"),
                lang="en" if _page_locale(app) == "en" else "zh-CN",
                again=_("Try again"), url=request.full_path.rstrip("?"))
            response = Response(page, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = retry
    return response


def _page_locale(app: Flask) -> str:
    """The page's language without asking the database for the user's setting."""
    chosen = session.get("locale") if session else None
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(["zh", "en"])
    return "en" if best == "en" else app.config["HOTLINE_LOCALE"]
