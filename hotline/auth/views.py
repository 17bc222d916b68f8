from __future__ import annotations

import math
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from hotline.auth import throttle
from hotline.auth.access import public
from hotline.auth.forms import LoginForm
from hotline.auth.roles import ROLES
from hotline.auth.permissions import require_role
from hotline.auth.services import LoginRefused, authenticate
from hotline.clock import utcnow
from hotline.extensions import db
from hotline.web.formatting import local_text
from hotline.web.transactions import committed

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlparse(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            form.form_errors.append(_("The form expired. Please try again."))
        return render_template("auth/login.html", form=form), 400
    now = utcnow()
    try:
        user = authenticate(db.session, form.username.data, form.password.data, now=now,
                            ip=request.remote_addr or "", rules=throttle.policies(current_app))
    except LoginRefused as refused:
        status, headers = 401, {}
        if refused.reason == "throttled":
            # Growing delays, per account and per address; the time is local.
            form.form_errors.append(_("Too many failed logins. Try again after %(time)s.",
                                      time=local_text(refused.retry_at, "%H:%M:%S")))
            status = 429
            headers["Retry-After"] = str(max(1, math.ceil(
                (refused.retry_at - now).total_seconds())))
        elif refused.reason == "inactive":
            form.form_errors.append(_("This account is disabled."))
        else:
            form.form_errors.append(_("Wrong username or password."))
        # A refusal is not rolled back: the failure counts (the delays) are kept.
        return committed((render_template("auth/login.html", form=form), status, headers))
    login_user(user)
    return committed(redirect(_safe_next(request.args.get("next"))))


@bp.route("/logout", methods=["POST"])
@login_required
@require_role(*ROLES)
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
