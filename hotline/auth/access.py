"""Who may reach each route: declared once, next to the view, and enforced before the view
runs (and so before the API parses a body: a token without the role gets 403, never a 422
listing field errors).

A route's protection comes from two places:
- its blueprint's guard, a `before_request` function carrying a declaration: the Twilio
  signature check (`twilio-signed`), the API's bearer-token check (`token`), the admin
  blueprint's role check;
- the view's own declaration: `require_role(...)` (hotline.auth.permissions) or `public`.

A route with neither is refused (403) and fails the route audit
(tests/hotline/test_route_audit.py), so a new route cannot ship without saying who may use
it. Static files are public by nature.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext as _

from hotline.auth.roles import ROLES as ALL_ROLES
from hotline.errors import Forbidden, error_body

log = logging.getLogger("hotline.auth.access")

PUBLIC = "public"
TWILIO_SIGNED = "twilio-signed"
TOKEN = "token"  # an API bearer token of one of `roles`
LOGIN = "login"  # a console session of one of `roles`
ROLES = "roles"  # a view's role list; LOGIN or TOKEN once combined with its blueprint
ATTRIBUTE = "hotline_access"
_CACHE = "hotline.access"
_ENDPOINTS = "hotline.access.endpoints"


@dataclass(frozen=True)
class Access:
    kind: str
    roles: tuple[str, ...] = ()

    def allows(self, role: str | None) -> bool:
        """May a user of `role` (None: anonymous) pass this check?"""
        if self.kind in (PUBLIC, TWILIO_SIGNED):
            return True
        return role is not None and role in self.roles


def declare(access: Access):
    """Decorator: mark a view (or a blueprint's guard) with its protection. The mark is a
    function attribute, so `functools.wraps` in other decorators carries it outward."""

    def mark(func):
        setattr(func, ATTRIBUTE, access)
        return func

    return mark


public = declare(Access(PUBLIC))


def declare_method(method: str, *roles: str):
    """Decorator (below `require_role`): `method` of this view needs one of `roles`, e.g.
    a page every supervisor reads that only administrators change."""

    def mark(func):
        setattr(func, f"{ATTRIBUTE}_{method.lower()}", Access(ROLES, tuple(roles)))
        return func

    return mark


def declare_endpoint(app: Flask, endpoint: str, access: Access) -> None:
    """Declare a view we do not define ourselves (e.g. flask-smorest's openapi.json)."""
    app.extensions.setdefault(_ENDPOINTS, {})[endpoint] = access


def _own(app: Flask, endpoint: str, method: str) -> Access | None:
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: each method declares its own
        method = method.lower()
        target = getattr(view_class, method, None) or (
            getattr(view_class, "get", None) if method == "head" else None)
    else:
        target = view
    return getattr(target, f"{ATTRIBUTE}_{method.lower()}", None) or getattr(
        target, ATTRIBUTE, None)


def _guard(app: Flask, endpoint: str) -> Access | None:
    blueprint = endpoint.rpartition(".")[0] or None
    for func in app.before_request_funcs.get(blueprint, ()) if blueprint else ():
        access = getattr(func, ATTRIBUTE, None)
        if access is not None:
            return access
    return None


def resolve(app: Flask, endpoint: str, method: str) -> Access | None:
    """The protection of `endpoint` for `method`; None when nothing declares one."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return Access(PUBLIC)
    explicit = app.extensions.get(_ENDPOINTS, {}).get(endpoint)
    if explicit is not None:
        return explicit
    guard, own = _guard(app, endpoint), _own(app, endpoint, method)
    if guard is not None and guard.kind == TWILIO_SIGNED:
        return guard
    if guard is not None and guard.kind == TOKEN:
        roles = own.roles if own is not None and own.kind == ROLES else ALL_ROLES
        return Access(TOKEN, roles)
    if guard is not None and guard.kind == ROLES:
        roles = guard.roles if own is None or own.kind != ROLES else tuple(
            r for r in guard.roles if r in own.roles)
        return Access(LOGIN, roles)
    if own is None:
        return None
    if own.kind == ROLES:
        return Access(LOGIN, own.roles)
    return own


def declared(app: Flask, endpoint: str, method: str) -> Access | None:
    cache: dict[tuple[str, str], Access | None] = app.extensions.setdefault(_CACHE, {})
    key = (endpoint, method)
    if key not in cache:
        cache[key] = resolve(app, endpoint, method)
    return cache[key]


def enforce() -> Any:
    """`before_request`: refuse a request its route's declaration does not allow. Runs before
    the blueprint's own hooks and before the view parses anything."""
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return None  # no route matched (404/405 follow) or an automatic OPTIONS answer
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    access = declared(app, endpoint, request.method)
    if access is None:
        log.error("route %s %s declares no protection: refused", request.method, endpoint)
        raise Forbidden(_("This page does not say who may use it, so nobody may."))
    if access.kind in (PUBLIC, TWILIO_SIGNED):
        return None  # the blueprint's signature check follows
    if access.kind == TOKEN:
        from hotline.auth.current import bearer_user

        user = bearer_user()
        if user is None:
            return unauthorized_token()
    else:
        from flask_login import current_user

        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()  # type: ignore[attr-defined]
        user = current_user
    if user.role not in access.roles:
        raise Forbidden(_("You do not have permission for this."))
    return None


def unauthorized_token():
    return error_body("unauthorized", "a valid bearer token is required"), 401, {
        "WWW-Authenticate": 'Bearer realm="hotline"'}
