from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from hotline.auth.forms import LoginForm
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
def login():
    form = LoginForm()
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            form.form_errors.append(_("The form expired. Please try again."))
        return render_template("auth/login.html", form=form), 400
    try:
        user = authenticate(
            db.session, form.username.data, form.password.data, now=utcnow(),
            max_failures=int(current_app.config["LOGIN_MAX_FAILURES"]),
            lockout=timedelta(minutes=int(current_app.config["LOGIN_LOCKOUT_MINUTES"])),
        )
    except LoginRefused as refused:
        status = 401
        if refused.reason == "locked":
            form.form_errors.append(
                _("Too many failed logins. Try again after %(time)s.",
                  time=local_text(refused.locked_until, "%H:%M")))
            status = 429
        elif refused.reason == "inactive":
            form.form_errors.append(_("This account is disabled."))
        else:
            form.form_errors.append(_("Wrong username or password."))
        # A refusal is not rolled back: the failure count (the lockout) is kept.
        return committed((render_template("auth/login.html", form=form), status))
    login_user(user)
    return committed(redirect(_safe_next(request.args.get("next"))))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
