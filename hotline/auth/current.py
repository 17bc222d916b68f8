"""The acting user of a request: a bearer token on the API, the login session elsewhere."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from hotline.auth.models import User
from hotline.auth.services import stamp_token_use, token_for
from hotline.clock import utcnow
from hotline.extensions import db


def bearer_user() -> User | None:
    if not hasattr(request, "bearer_user"):
        header = request.headers.get("Authorization", "")
        user = None
        if header.startswith("Bearer "):
            row = token_for(db.session, header[len("Bearer "):].strip())
            if row is not None:
                user = row.user
                stamp_token_use(db.engine, row, utcnow())
        request.bearer_user = user
    return request.bearer_user


def current_actor() -> User | None:
    if request.path.startswith("/api/"):
        return bearer_user()
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None
