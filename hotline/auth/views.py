from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from hotline.auth.forms import LoginForm
from hotline.auth.services import LoginRefused, authenticate
from hotline.clock import utcnow
from hotline.extensions import db
from hotline.web.formatting import local_text

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlparse(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            from datetime import timedelta

            try:
                user = authenticate(
                    db.session, form.username.data, form.password.data, now=utcnow(),
                    max_failures=int(current_app.config["LOGIN_MAX_FAILURES"]),
                    lockout=timedelta(minutes=int(current_app.config["LOGIN_LOCKOUT_MINUTES"])),
                )
            except LoginRefused as refused:
                db.session.commit()  # keep the failure count
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
            else:
                db.session.commit()
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
        else:
            status = 400
            if form.csrf_token.errors:
                form.form_errors.append(_("The form expired. Please try again."))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
