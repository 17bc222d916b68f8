"""Twilio webhook signatures: every Twilio endpoint answers 403 unless `X-Twilio-Signature`
matches the public URL Twilio called and the POSTed form (TWILIO-NOTES, Webhooks)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from flask import Blueprint, Flask, abort, current_app, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from hotline.extensions import csrf
from hotline.web.sessions import sessionless

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


def expected_signature(auth_token: str, url: str, form: MultiDict) -> str:
    """`RequestValidator.compute_signature` for a werkzeug form: HMAC-SHA1 over the URL
    followed by each name and value, sorted. Written out because the validator looks every
    parameter up through two failing attribute lookups, a fifth of the voice URL's cost."""
    data = url + "".join(name + value for name in sorted(form)
                         for value in sorted(set(form.getlist(name))))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_request() -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    params = request.form if request.method == "POST" else MultiDict()
    url = signed_url()
    # The URL as called matches in the common case: one HMAC. Otherwise let Twilio's
    # validator also try the URL with and without an explicit port.
    if hmac.compare_digest(expected_signature(token, url, params), signature):
        return True
    return RequestValidator(token).validate(url, params, signature)


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
