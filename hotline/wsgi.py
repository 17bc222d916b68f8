"""The WSGI entry point for gunicorn (`hotline.wsgi:app`, see the Procfile)."""

from __future__ import annotations

import sys

from hotline.app import create_app
from hotline.config import ConfigError

try:
    app = create_app()
except ConfigError as err:
    # One plain line naming what to set, instead of a traceback per worker.
    sys.exit(f"hotline: cannot start: {err}")
