"""The crew's pages, made for a phone (390 px): the queue by the next deadline, and one
order with big buttons for what a crew does — accept (R14), on site with the browser's
location (R16, R17), notes, photos, resolve. Every form is done once however often it is
sent (`services.once`). The order's full page keeps every other action."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import (Blueprint, current_app, flash, render_template, request, send_file,
                   url_for)
from flask_login import current_user, login_required

from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.errors import DomainError, NotFound, ValidationFailed
from hotline.extensions import db
from hotline.web.security import accepts_upload
from hotline.web.transactions import refusal_text
from workorders.console_actions import form_token, run_action
from workorders.i18n import gettext as _
from workorders.services import photos, queries
from workorders.services.common import actor_of, visible_order
from workorders.services.present import event_view, order_view, order_views

bp = Blueprint("crew", __name__, template_folder="templates", static_folder="static",
               static_url_path="/crew/static")
# The actions the phone page offers, in the order a crew does them.
CREW_ACTIONS = ("accept", "arrive", "note", "add_photo", "resolve")


@bp.app_context_processor
def _globals():
    return {"form_token": form_token}


def _store() -> photos.PhotoStore:
    return photos.PhotoStore(Path(current_app.config["HOTLINE_PHOTO_DIR"]))


@bp.route("/crew/")
@login_required
@require_role(roles.STAFF, *roles.SUPERVISION)
def queue():
    mine = request.args.get("mine") == "1"
    rows, cursor = queries.crew_queue(db.session, current_user, mine=mine,
                                      after=request.args.get("after", type=int))
    views = order_views(db.session, rows, current_user, actor_of(db.session, current_user))
    clocks = queries.next_clocks(db.session, [o.id for o in rows])
    return render_template("workorders/crew_queue.html", mine=mine, cursor=cursor,
                           first_page="after" not in request.args, now=utcnow(),
                           cards=[(view, clocks.get(o.id)) for o, view in zip(rows, views)])


def _order_page(number: str, status: int = 200):
    order = visible_order(db.session, current_user, number)
    view = order_view(db.session, order, current_user)
    events = [event_view(e) for e in queries.events_of(db.session, order)]
    return render_template(
        "workorders/crew_order.html", order=view, category=order.category,
        actions=[a for a in CREW_ACTIONS if a in view["actions"]],
        more_actions=[a for a in view["actions"] if a not in CREW_ACTIONS],
        photos=photos.photos_of(db.session, order.id), now=utcnow(),
        next_clock=queries.next_clocks(db.session, [order.id]).get(order.id),
        events=[e for e in reversed(events) if e["action"] != "deadline"]), status


@bp.route("/crew/<number>")
@login_required
@require_role(*roles.EVERYONE)
def order(number: str):
    return _order_page(number)


@bp.route("/crew/<number>", methods=["POST"])
@login_required
@require_role(*roles.EVERYONE)
def act(number: str):
    return run_action(number, next_url=lambda: url_for("crew.order", number=number),
                      page=lambda status: _order_page(number, status))


@bp.route("/workorders/<number>/photos", methods=["POST"])
@accepts_upload(photos.MAX_BYTES)
@login_required
@require_role(*roles.EVERYONE)
def upload(number: str):
    """A photo from the crew page or the order page; `next` picks which page follows."""
    back = "workorders.detail" if request.form.get("next") == "detail" else "crew.order"
    upload = request.files.get("photo")
    try:
        data = photos.read_limited(upload.stream if upload else BytesIO())
    except ValidationFailed as err:
        return _refused(number, back, err)
    return run_action(number, next_url=lambda: url_for(back, number=number),
                      page=lambda status: _page(back, number, status),
                      extra={"photo": data, "store": _store()})


def _page(back: str, number: str, status: int):
    if back == "crew.order":
        return _order_page(number, status)
    from workorders.views import _detail  # the order's full page (views registers `bp`)

    return _detail(number, status)


def _refused(number: str, back: str, err: DomainError):
    flash(refusal_text(err), "error")
    return _page(back, number, err.status)


@bp.errorhandler(413)
def _too_large(err):
    """A body past even the upload limit: the page again, saying why (not a bare 413)."""
    number = (request.view_args or {}).get("number")
    if request.endpoint != "crew.upload" or not number:
        return err
    return _refused(number, "crew.order", ValidationFailed(
        _("The photo is larger than %(mb)s MB.", mb=photos.MAX_BYTES // 2**20),
        fields={"photo": "too large"}, status=413))


@bp.route("/workorders/photos/<key>")
@login_required
@require_role(*roles.EVERYONE)
def photo(key: str):
    return _send(key, thumb=False)


@bp.route("/workorders/photos/<key>/thumb")
@login_required
@require_role(*roles.EVERYONE)
def thumb(key: str):
    return _send(key, thumb=True)


def _send(key: str, *, thumb: bool):
    path, mimetype = photos.photo_file(db.session, current_user, key, _store(), thumb=thumb)
    if not path.is_file():
        raise NotFound(_("No such photo."))
    response = send_file(path, mimetype=mimetype, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"  # the order's people only
    return response
