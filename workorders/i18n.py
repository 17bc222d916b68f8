"""gettext that also works outside a request (clock jobs, CLI, demo load): there the
utility's default language is used."""

from __future__ import annotations

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _gettext


def gettext(message: str, **variables) -> str:
    if has_request_context():
        return _gettext(message, **variables)
    with force_locale(current_app.config.get("HOTLINE_LOCALE", "zh_CN")):
        return _gettext(message, **variables)
