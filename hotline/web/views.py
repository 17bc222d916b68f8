from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from hotline.auth.access import public
from hotline.auth.models import ROLES
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.i18n import LOCALES
from hotline.notifications.models import Notification
from hotline.notifications.services import for_user
from hotline.web.nav import nav_for, panels_for

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/hotline")


@bp.app_context_processor
def _layout_context():
    user = current_user if current_user and current_user.is_authenticated else None
    return {
        "nav_items": nav_for(current_app, user.role) if user else [],
        "unread_notifications": len(for_user(db.session, user, unread_only=True))
        if user else 0,
    }


@bp.route("/")
@login_required
@require_role(*ROLES)
def home():
    panels = [(p.template, p.context(current_user)) for p in panels_for(current_app,
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
    visible = {n.id for n in for_user(db.session, current_user, limit=1000)}
    row = db.session.get(Notification, notification_id)
    if row is None or row.id not in visible:
        raise NotFound("no such notification")
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    return redirect(request.referrer or url_for("web.notifications"))


@bp.route("/lang/<locale>", methods=["POST"])
@public
def set_language(locale: str):
    if locale not in LOCALES:
        raise NotFound("unknown language")
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    target = request.form.get("next") or url_for("web.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    return redirect(target)


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.select(1))
    return {"status": "ok"}
