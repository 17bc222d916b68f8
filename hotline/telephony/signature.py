"""Twilio webhook signatures: every Twilio endpoint answers 403 unless `X-Twilio-Signature`
matches the public URL Twilio called and the POSTed form (TWILIO-NOTES, Webhooks)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from functools import lru_cache

from flask import Blueprint, Flask, Request, abort, current_app, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from hotline.auth.access import TWILIO_SIGNED, Access, declare
from hotline.extensions import csrf
from hotline.web.sessions import sessionless

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_ENVIRON = "HTTP_X_TWILIO_SIGNATURE"


def public_base(app: Flask | None = None, req: Request | None = None) -> str:
    """The configured public base URL, else the (ProxyFix'd) scheme and host of the request."""
    app = app or current_app
    base = (app.config.get("HOTLINE_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base
    req = req or request
    return f"{req.scheme}://{req.host}"


def signed_url(app: Flask | None = None, req: Request | None = None) -> str:
    """The URL exactly as Twilio called it. Werkzeug's `request.url` decodes percent-escapes
    in the query string, which would break the signature: use the raw query string."""
    req = req or request
    url = public_base(app, req) + req.script_root + req.path
    if req.query_string:
        url += "?" + req.query_string.decode("latin-1")
    return url


@lru_cache(maxsize=4)
def _keyed_sha1(auth_token: str) -> hmac.HMAC:
    return hmac.new(auth_token.encode("utf-8"), digestmod=hashlib.sha1)


def expected_signature(auth_token: str, url: str, form: MultiDict) -> str:
    """`RequestValidator.compute_signature` for a werkzeug form: HMAC-SHA1 over the URL
    followed by each name and value, sorted. Written out because the validator looks every
    parameter up through two failing attribute lookups, a fifth of the voice URL's cost.
    (The validator sorts names, then each name's distinct values: the same order as the
    distinct (name, value) pairs sorted.)"""
    data = url + "".join(name + value for name, value in sorted(set(form.items(multi=True))))
    mac = _keyed_sha1(auth_token).copy()
    mac.update(data.encode("utf-8"))
    return base64.b64encode(mac.digest()).decode("ascii")


def is_valid_request() -> bool:
    # The request and app are looked up once: each proxy access costs a microsecond, and
    # this runs on every webhook.
    req = request._get_current_object()  # type: ignore[attr-defined]
    signature = req.environ.get(SIGNATURE_ENVIRON, "")
    if not signature:
        return False
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    token = app.config["TWILIO_AUTH_TOKEN"]
    params = req.form if req.method == "POST" else MultiDict()
    url = signed_url(app, req)
    # The URL as called matches in the common case: one HMAC. Otherwise let Twilio's
    # validator also try the URL with and without an explicit port.
    if hmac.compare_digest(expected_signature(token, url, params), signature):
        return True
    return RequestValidator(token).validate(url, params, signature)


@declare(Access(TWILIO_SIGNED))  # the route audit reads this (hotline.auth.access)
def require_signature() -> None:
    """Refuse (403) a request without a valid Twilio signature."""
    if not is_valid_request():
        abort(403)


def twilio_blueprint(bp: Blueprint) -> Blueprint:
    """A blueprint of Twilio endpoints: every request signed (403 otherwise), no CSRF token
    (the signature stands in for it), no cookie session."""
    csrf.exempt(bp)
    sessionless(bp)
    bp.before_request(require_signature)
    return bp


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio would send for `url` and `params` (simulator and tests)."""
    return RequestValidator(auth_token).compute_signature(url, dict(params))
