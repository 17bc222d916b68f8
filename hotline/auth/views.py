from __future__ import annotations

import math
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from hotline.auth import throttle
from hotline.auth.access import public
from hotline.auth.forms import LoginForm
from hotline.auth.models import ROLES
from hotline.auth.permissions import require_role
from hotline.auth.services import LoginRefused, authenticate
from hotline.clock import utcnow
from hotline.extensions import db

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
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            now = utcnow()
            try:
                user = authenticate(db.session, form.username.data, form.password.data,
                                    now=now, ip=request.remote_addr or "",
                                    rules=throttle.policies(current_app))
            except LoginRefused as refused:
                db.session.commit()  # keep the failure counts
                status = 401
                if refused.reason == "throttled":
                    form.form_errors.append(
                        _("Too many failed logins. Try again after %(time)s.",
                          time=_local_time(refused.retry_at)))
                    status = 429
                    retry_after = max(1, math.ceil((refused.retry_at - now).total_seconds()))
                    return render_template("auth/login.html", form=form), status, {
                        "Retry-After": str(retry_after)}
                elif refused.reason == "inactive":
                    form.form_errors.append(_("This account is disabled."))
                else:
                    form.form_errors.append(_("Wrong username or password."))
            else:
                db.session.commit()
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
        else:
            status = 400
            if form.csrf_token.errors:
                form.form_errors.append(_("The form expired. Please try again."))
    return render_template("auth/login.html", form=form), status


def _local_time(moment) -> str:
    """When to try again, on the utility's clock (a delay lasts at most minutes)."""
    return moment.astimezone(ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])).strftime(
        "%H:%M:%S")


@bp.route("/logout", methods=["POST"])
@login_required
@require_role(*ROLES)
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
