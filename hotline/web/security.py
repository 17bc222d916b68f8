"""Request hardening in one place, registered by `init_app`:

- every route's declared protection is enforced before its view (hotline.auth.access);
- then malformed input is refused with a 400 (also a body that is not JSON where JSON is
  expected) before any view or parser sees it: a NUL character anywhere in the path, the
  query, a form or a JSON body (PostgreSQL cannot store one and answered with a 500), and
  invalid JSON;
- security headers on every response: a Content-Security-Policy without inline script,
  `frame-ancestors 'none'`, nosniff, a Referrer-Policy, and HSTS in production;
- a view marked `accepts_upload(n)` (a crew's photo) takes a body of up to n bytes plus its
  form's few fields, instead of `MAX_CONTENT_LENGTH`, decided before anything reads the body;
- a database that does not answer gives a 503 with Retry-After (hotline.web.unavailable);
- login throttling settings (hotline.auth.throttle).

Twilio's endpoints (signed, sessionless) skip the input checks: the signature check answers
first, and Twilio never sends a NUL.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _

from hotline.auth import access, throttle
from hotline.errors import DomainError
from hotline.web import unavailable
from hotline.web.sessions import sessionless_prefixes

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'{connect}; media-src 'self'{media}; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# The Twilio Voice JS SDK (softphone in Twilio mode) signals over Twilio's websockets and
# plays its ringtones from sdk.twilio.com.
TWILIO_CONNECT = " https://*.twilio.com wss://*.twilio.com"
TWILIO_MEDIA = " https://sdk.twilio.com"
JSON_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_JSON_DEPTH = 32
# Room for an upload form's other fields and the multipart framing beside its file.
UPLOAD_FORM_BYTES = 64 * 1024
UPLOAD_ATTRIBUTE = "_hotline_upload_bytes"


def init_app(app: Flask) -> None:
    """Call once every blueprint is registered and after the request setup hook (which
    resets the login user of a shared app context), so that `enforce` sees this request's
    user."""
    twilio = app.config.get("HOTLINE_TELEPHONY") == "twilio"
    if not app.config.get("HOTLINE_CSP"):
        app.config["HOTLINE_CSP"] = CSP.format(connect=TWILIO_CONNECT if twilio else "",
                                               media=TWILIO_MEDIA if twilio else "")
    app.config.setdefault("HOTLINE_HSTS_SECONDS", 31536000)
    app.config.setdefault("HOTLINE_REFERRER_POLICY", "same-origin")
    throttle.init_app(app)
    unavailable.init_app(app)
    # Before every other hook: CSRF protection (registered earlier) reads the form. Setting
    # a limit reads nothing, so `enforce` still decides before anything is read.
    app.before_request_funcs.setdefault(None, []).insert(0, allow_upload)
    app.before_request(access.enforce)  # first: a token without the role learns nothing
    app.before_request(reject_malformed)
    app.after_request(security_headers)


def accepts_upload(max_bytes: int):
    """Decorator: the view takes a file of up to `max_bytes`, more than MAX_CONTENT_LENGTH
    allows other requests. The mark is a function attribute (`functools.wraps` in the other
    decorators carries it outward)."""

    def mark(view):
        setattr(view, UPLOAD_ATTRIBUTE, max_bytes)
        return view

    return mark


def allow_upload() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, UPLOAD_ATTRIBUTE, None)
    if limit:
        request.max_content_length = max(limit + UPLOAD_FORM_BYTES,
                                         current_app.config["MAX_CONTENT_LENGTH"] or 0)


def security_headers(response: Response) -> Response:
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config["HOTLINE_CSP"])
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS form posts.
    headers.setdefault("Referrer-Policy", config["HOTLINE_REFERRER_POLICY"])
    if config["HOTLINE_ENV"] == "production" and config["HOTLINE_HSTS_SECONDS"]:
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={int(config['HOTLINE_HSTS_SECONDS'])}; includeSubDomains")
    return response


class MalformedRequest(DomainError):
    status = 400
    code = "malformed_request"


def reject_malformed() -> None:
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.path.startswith(sessionless_prefixes(current_app)):
        return
    if "\x00" in req.path or _has_nul(req.args.items(multi=True)) or \
            "\x00" in req.headers.get("Authorization", ""):
        raise MalformedRequest(_("The request contains a NUL character."),
                               fields={"query": "NUL character"})
    if req.method not in JSON_BODY_METHODS:
        return
    if req.mimetype in FORM_TYPES:
        if _has_nul(req.form.items(multi=True)) or any(
                "\x00" in (f.filename or "") for f in req.files.values()):
            raise MalformedRequest(_("The request contains a NUL character."),
                                   fields={"form": "NUL character"})
        return
    if not req.content_length and not req.get_data(cache=True):
        return  # no body: the view says what is missing
    if req.is_json:
        try:
            data = req.get_json(silent=True)
        except RecursionError:
            data = None
        if data is None:
            raise MalformedRequest(_("The request body is not valid JSON."),
                                   code="invalid_json", fields={"json": "not valid JSON"})
        problem = _json_problem(data)
        if problem:
            raise MalformedRequest(problem, fields={"json": problem})
    elif req.path.startswith("/api/"):
        raise DomainError(_("Send the request body as JSON (Content-Type: application/json)."),
                          code="unsupported_media_type", status=400,
                          fields={"Content-Type": req.mimetype or "missing"})


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def _json_problem(data: Any) -> str | None:
    """A NUL anywhere in a JSON document, or nesting deeper than any request needs."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return _("The JSON body is nested too deeply.")
        if isinstance(value, str):
            if "\x00" in value:
                return _("The request contains a NUL character.")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    return _("The request contains a NUL character.")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None
