"""/api/v1/workorders: list, create, get, actions, events. Department staff only ever see
their departments' orders (404 for the others), and never a confidential complainant."""

from __future__ import annotations

import re

from flask import current_app, request
from flask.views import MethodView
from flask_babel import gettext as _

from hotline.api import ApiBlueprint, transaction
from hotline.auth import roles
from hotline.auth.current import current_actor
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.errors import Forbidden, ValidationFailed
from hotline.extensions import db
from sla.settings import current_context
from workorders import schemas
from workorders.services import inputs, queries
from workorders.services.actions import perform
from workorders.services.common import actor_of, visible_order
from workorders.services.create import households_to_choose, open_work_order
from workorders.services.present import event_view, household_view, order_view, order_views

HOTLINE = ("agent", "supervisor", "admin")  # who opens orders (the role check precedes
# the body: hotline.auth.access)
bp = ApiBlueprint("workorders_api", __name__, url_prefix="/workorders",
                  description="Work orders (工单)")


@bp.route("")
class Orders(MethodView):
    @bp.arguments(schemas.OrderFilterSchema, location="query")
    @bp.response(200, schemas.OrderPageSchema)
    def get(self, args):
        """List orders with filters, newest first, page by page."""
        user = current_actor()
        page, per_page = args.pop("page"), args.pop("per_page")
        rows, total = queries.search(db.session, user, queries.Filters(**args), now=utcnow(),
                                     page=page, per_page=per_page)
        actor = actor_of(db.session, user)
        return {"items": order_views(db.session, rows, user, actor), "total": total,
                "page": page, "per_page": per_page}

    @transaction
    @bp.arguments(schemas.CreateOrderSchema)
    @bp.response(201, schemas.OrderSchema)
    @require_role(*HOTLINE)
    def post(self, data):
        """Open an order: R4 details, routed and dispatched unless answered on the call."""
        user = current_actor()
        if user.role not in roles.HOTLINE:
            raise Forbidden(_("Only the hotline opens work orders."))
        channel = data.pop("channel")
        order = open_work_order(db.session, inputs.new_order_from(db.session, data),
                                actor=user, channel=channel, now=utcnow(),
                                ctx=current_context(db.session),
                                repeat_days=current_app.config["HOTLINE_REPEAT_COMPLAINT_DAYS"])
        # R30: several households share the number: the agent chooses one.
        return dict(order_view(db.session, order, user), household_candidates=[
            household_view(a) for a in households_to_choose(db.session, order)])


@bp.route("/duplicates")
class Duplicates(MethodView):
    @bp.arguments(schemas.DuplicateQuerySchema, location="query")
    @bp.response(200, schemas.OrderSchema(many=True))
    @require_role(*HOTLINE)
    def get(self, args):
        """Open orders of the last 48 h: same category and area, or same account/phone."""
        user = current_actor()
        if user.role not in roles.HOTLINE:
            raise Forbidden(_("Only the hotline logs orders."))
        rows = queries.duplicates(
            db.session, category=args.get("category"),
            area_id=inputs.area_id(db.session, args.get("area")),
            account_id=inputs.account_id(db.session, args.get("account"), "account"),
            phone=args.get("phone"), now=utcnow(), viewer=user)
        return [order_view(db.session, o, user) for o in rows]


@bp.route("/<number>")
class Order(MethodView):
    @bp.response(200, schemas.OrderSchema)
    def get(self, number):
        """One order by number (404 when it is not yours to see)."""
        user = current_actor()
        return order_view(db.session, visible_order(db.session, user, number), user)


@bp.route("/<number>/actions")
class Actions(MethodView):
    @transaction
    @bp.arguments(schemas.ActionSchema)
    @bp.response(200, schemas.OrderSchema)
    def post(self, data, number):
        """Do one action; needs the order's version (field or If-Match). 409 if stale."""
        user = current_actor()
        version = data.get("version", _if_match())
        order = perform(db.session, user=user, number=number, action=data["action"],
                        version=version, params=inputs.action_params(db.session, data),
                        now=utcnow(), ctx=current_context(db.session))
        return order_view(db.session, order, user)


@bp.route("/<number>/events")
class Events(MethodView):
    @bp.response(200, schemas.EventSchema(many=True))
    def get(self, number):
        """The order's timeline (append-only)."""
        order = visible_order(db.session, current_actor(), number)
        return [event_view(e) for e in queries.events_of(db.session, order)]


def _if_match() -> int | None:
    header = request.headers.get("If-Match")
    if not header:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', header)
    if not match:
        raise ValidationFailed(_("If-Match must be the order's version."),
                               fields={"If-Match": "not a version"})
    return int(match.group(1))
