"""`/api/v1/outages`: the area query (R26) and announcing outages (R25)."""

from __future__ import annotations

from hotline.api import ApiBlueprint, transaction
from hotline.auth.current import current_actor
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.services import area_by_code
from hotline.errors import Forbidden, ValidationFailed
from hotline.extensions import db
from hotline.outages.queries import list_outages
from hotline.outages.schemas import OutageCreateSchema, OutageQuerySchema, OutageSchema
from hotline.auth import roles
from hotline.outages.services import can_manage, create_outage

bp = ApiBlueprint("outages_api", __name__, url_prefix="/outages",
                  description="Outage notices (R25, R26).")


def _area_ids(codes: list[str], *, field: str = "areas",
              message: str = "outage notice not saved") -> list[int]:
    ids, unknown = [], []
    for code in codes:
        area = area_by_code(db.session, code)
        if area is None:
            unknown.append(code)
        else:
            ids.append(area.id)
    if unknown:
        raise ValidationFailed(message, fields={
            field: f"unknown area code(s): {', '.join(unknown)}"})
    return ids


@bp.route("")
@bp.arguments(OutageQuerySchema, location="query")
@bp.response(200, OutageSchema(many=True))
@bp.paginate()
def list_notices(args, pagination_parameters):
    area_id = (_area_ids([args["area"]], field="area", message="unknown area")[0]
               if args["area"] else None)
    rows, total = list_outages(db.session, area_id=area_id, status=args["status"],
                               at=args["at"], limit=pagination_parameters.page_size,
                               offset=pagination_parameters.first_item)
    pagination_parameters.item_count = total
    return rows


@bp.route("", methods=["POST"])
@transaction
@bp.arguments(OutageCreateSchema)
@bp.response(201, OutageSchema)
@require_role(*roles.SUPERVISION)  # checked before the body (hotline.auth.access)
def create_notice(data):
    actor = current_actor()
    if not can_manage(actor):
        raise Forbidden("only supervisors and administrators announce outages")
    outage = create_outage(
        db.session, actor, kind=data["kind"], area_ids=_area_ids(data["areas"]),
        start_at=data["start_at"], expected_end_at=data["expected_end_at"],
        cause=data["cause"], extent=data["extent"], approver_id=data["approver_id"],
        urgent=data["urgent"], now=utcnow())
    return outage
