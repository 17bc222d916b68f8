"""A notification's text in the reader's language: the sender stores the English msgid and
its parameters as JSON, the console translates them when someone reads it.

A spec is `{"msgid", "params"}` (optionally `"context"`, for pgettext). Parameters are
plain values, or nested specs: `{"msgid", "params"}` (a translated phrase),
`{"localized": {"zh_CN": …, "en": …}}` (a name with one text per language) and
`{"label": kind, "code": …}` (a stored code's wording, `hotline.web.labels`)."""

from __future__ import annotations

from typing import Any

from hotline.i18n import Coded, Localized, Message


def spec(text: Any) -> dict | None:
    """The stored form of a text, or None when it is plain text (typed by a person)."""
    if isinstance(text, Message):
        return {"msgid": text.msgid, "params": {k: _param(v) for k, v in text.params.items()}}
    return None


def message(msgid: str, **params: Any) -> dict:
    """A spec built directly, without translating now (the SLA sweeps, thousands a pass)."""
    return {"msgid": msgid, "params": {k: _param(v) for k, v in params.items()}}


def _param(value: Any) -> Any:
    if isinstance(value, Message):
        return spec(value)
    if isinstance(value, Localized):
        return {"localized": value.variants}
    if isinstance(value, Coded):
        return {"label": value.kind, "code": value.code}
    if isinstance(value, (int, float, dict)) or value is None:
        return value
    return str(value)


def render(stored: dict | None, fallback: str) -> str:
    """The text in the current request's language; `fallback` (the stored title) for rows
    written before messages were kept, or when a spec no longer fits its catalog."""
    if not stored or "msgid" not in stored:
        return fallback
    try:
        return _render(stored)
    except (KeyError, TypeError, ValueError):
        return fallback


def _render(stored: dict) -> str:
    from flask_babel import gettext as translate
    from flask_babel import pgettext as translate_in

    params = {k: _value(v) for k, v in (stored.get("params") or {}).items()}
    msgid, context = stored["msgid"], stored.get("context")
    text = translate_in(context, msgid) if context else translate(msgid)
    # Always formatted: a placeholder without its parameter is a broken row (KeyError).
    return text % params if params or "%(" in text else text


def _value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "msgid" in value:
        return _render(value)
    if "localized" in value:
        from flask_babel import get_locale

        from hotline.i18n import _pick

        return _pick(value["localized"], str(get_locale() or "zh_CN"))
    if "label" in value:
        from hotline.web.labels import label

        return label(value.get("code"), value["label"])
    raise ValueError(f"unknown parameter {value!r}")
