from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from hotline.auth.access import public
from hotline.auth.permissions import require_role
from hotline.auth.roles import ROLES
from hotline.auth.services import set_locale
from hotline.clock import utcnow
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.i18n import LOCALES
from hotline.notifications import services as notices
from hotline.notifications.services import for_user, unread_count
from hotline.registry import registry
from hotline.web.transactions import act

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/hotline")


@bp.app_context_processor
def _layout_context():
    user = current_user if current_user and current_user.is_authenticated else None
    return {
        "nav_items": registry().nav_for(user.role) if user else [],
        "unread_notifications": unread_count(db.session, user) if user else 0,
    }


@bp.route("/")
@login_required
@require_role(*ROLES)
def home():
    panels = [(p.template, p.context(current_user)) for p in registry().panels_for(
        current_user.role)]
    return render_template("home.html", panels=panels,
                           notifications=for_user(db.session, current_user, limit=10))


@bp.route("/notifications")
@login_required
@require_role(*ROLES)
def notifications():
    return render_template("notifications.html",
                           notifications=for_user(db.session, current_user, limit=200))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
@require_role(*ROLES)
def mark_read(notification_id: int):
    return act(lambda: notices.mark_read(db.session, current_user, notification_id,
                                         utcnow()),
               next_url=lambda _row: request.referrer or url_for("web.notifications"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
@require_role(*ROLES)
def mark_all_read():
    return act(lambda: notices.mark_all_read(db.session, current_user, utcnow()),
               next_url=lambda _count: url_for("web.notifications"))


@bp.route("/lang/<locale>", methods=["POST"])
@public
def set_language(locale: str):
    if locale not in LOCALES:
        raise NotFound("unknown language")
    session["locale"] = locale
    target = request.form.get("next") or url_for("web.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    if not current_user.is_authenticated:
        return redirect(target)
    return act(lambda: set_locale(current_user, locale), next_url=lambda _none: target)


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.select(1))
    return {"status": "ok"}
