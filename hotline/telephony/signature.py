"""Twilio webhook signatures: every Twilio endpoint answers 403 unless `X-Twilio-Signature`
matches the public URL Twilio called and the POSTed form (TWILIO-NOTES, Webhooks)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def public_base(app: Flask | None = None) -> str:
    """The configured public base URL, else the (ProxyFix'd) scheme and host of the request."""
    app = app or current_app
    base = (app.config.get("HOTLINE_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base
    return f"{request.scheme}://{request.host}"


def signed_url() -> str:
    """The URL exactly as Twilio called it. Werkzeug's `request.url` decodes percent-escapes
    in the query string, which would break the signature: use the raw query string."""
    url = public_base() + request.script_root + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def is_valid_request() -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
    params = request.form if request.method == "POST" else {}
    url = signed_url()
    # The URL as called matches in the common case: one HMAC. Otherwise let Twilio's
    # validator also try the URL with and without an explicit port.
    if hmac.compare_digest(validator.compute_signature(url, params), signature):
        return True
    return validator.validate(url, params, signature)


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse (403) a request without a valid Twilio signature."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not is_valid_request():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio would send for `url` and `params` (simulator and tests)."""
    return RequestValidator(auth_token).compute_signature(url, dict(params))
