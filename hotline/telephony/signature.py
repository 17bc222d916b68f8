"""Twilio webhook signatures: every Twilio endpoint answers 403 unless `X-Twilio-Signature`
matches the public URL Twilio called and the POSTed form (TWILIO-NOTES, Webhooks). The
check is the Twilio SDK's `RequestValidator`; this module only rebuilds the URL."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Blueprint, Flask, Request, abort, current_app, request
from twilio.request_validator import RequestValidator

from hotline.auth.access import TWILIO_SIGNED, Access, declare
from hotline.extensions import csrf
from hotline.web.sessions import sessionless

SIGNATURE_HEADER = "X-Twilio-Signature"

log = logging.getLogger(__name__)


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


@declare(Access(TWILIO_SIGNED))  # the route audit reads this (hotline.auth.access)
def require_signature() -> None:
    """Refuse (403) a request without a valid Twilio signature. The SDK's validator also
    accepts the URL with or without its default port. A refusal is logged with the URL
    tried: a public URL that differs from the one configured at Twilio (scheme, host, a
    proxy that rewrites them) is the commonest misconfiguration."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    url = signed_url()
    params = request.form if request.method == "POST" else {}
    validator = RequestValidator(current_app.config["TWILIO_AUTH_TOKEN"])
    if signature and validator.validate(url, params, signature):
        return
    log.warning("Twilio signature refused (%s) for %s %s; check HOTLINE_PUBLIC_URL "
                "against the URL configured at Twilio",
                "mismatch" if signature else "missing", request.method, url,
                extra={"fields": {"url": url, "remote_addr": request.remote_addr or ""}})
    abort(403)


def twilio_blueprint(bp: Blueprint) -> Blueprint:
    """A blueprint of Twilio endpoints: every request signed (403 otherwise), no CSRF token
    (the signature stands in for it), no cookie session."""
    csrf.exempt(bp)
    sessionless(bp)
    bp.before_request(require_signature)
    return bp


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature Twilio would send for `url` and `params` (simulator, tests, benchmarks)."""
    return RequestValidator(auth_token).compute_signature(url, dict(params))
