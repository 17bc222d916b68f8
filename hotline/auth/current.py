"""The acting user of a request: a bearer token on the API, the login session elsewhere."""

from __future__ import annotations

import logging

from flask import after_this_request, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from hotline.auth.models import User
from hotline.auth.services import stamp_token_use, token_for
from hotline.clock import utcnow
from hotline.extensions import db

log = logging.getLogger("hotline.auth")


def bearer_user() -> User | None:
    if not hasattr(request, "bearer_user"):
        header = request.headers.get("Authorization", "")
        user = None
        if header.startswith("Bearer "):
            row = token_for(db.session, header[len("Bearer "):].strip(), now=utcnow())
            if row is not None:
                user = row.user
                _stamp_after_the_request(row.id, row.last_used_at)
        request.bearer_user = user
    return request.bearer_user


def _stamp_after_the_request(token_id: int, last_used_at) -> None:
    """The token's last use is stamped once the request's own work is done (after its
    commit, for a write), apart from it; a stamp that fails never fails the request."""
    now = utcnow()

    @after_this_request
    def stamp(response):
        try:
            stamp_token_use(db.engine, token_id, last_used_at, now)
        except SQLAlchemyError:
            log.warning("could not stamp the use of API token %s", token_id, exc_info=True)
        return response


def current_actor() -> User | None:
    if request.path.startswith("/api/"):
        return bearer_user()
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None
