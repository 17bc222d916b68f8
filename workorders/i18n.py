"""gettext that also works outside a request (clock jobs, CLI, demo load): there the
utility's default language is used. The text remembers its msgid and parameters
(`hotline.i18n.Message`), so a notification made from it is shown in each reader's
language."""

from __future__ import annotations

from hotline.i18n import tr_here


def gettext(message: str, **variables) -> str:
    return tr_here(message, **variables)
