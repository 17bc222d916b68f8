"""API schemas of outage notices."""

from __future__ import annotations

import marshmallow as ma

from hotline.directory.schemas import AreaRefSchema
from hotline.outages.models import OUTAGE_KINDS, OUTAGE_STATUSES


class OutageUpdateSchema(ma.Schema):
    note = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


class OutageSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String()
    cause = ma.fields.String()
    extent = ma.fields.String()
    start_at = ma.fields.AwareDateTime()
    expected_end_at = ma.fields.AwareDateTime()
    restored_at = ma.fields.AwareDateTime(allow_none=True)
    urgent = ma.fields.Boolean()
    approved_by_id = ma.fields.Integer(allow_none=True)
    areas = ma.fields.List(ma.fields.Nested(AreaRefSchema))
    updates = ma.fields.List(ma.fields.Nested(OutageUpdateSchema))


class OutageQuerySchema(ma.Schema):
    area = ma.fields.String(load_default=None, metadata={"description": "area code"})
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(OUTAGE_STATUSES))
    at = ma.fields.AwareDateTime(load_default=None, metadata={
        "description": "only outages active at this time or starting within 7 days of it"})


class OutageCreateSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTAGE_KINDS))
    areas = ma.fields.List(ma.fields.String(), required=True,
                           validate=ma.validate.Length(min=1),
                           metadata={"description": "area codes"})
    start_at = ma.fields.AwareDateTime(required=True)
    expected_end_at = ma.fields.AwareDateTime(required=True)
    cause = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
    extent = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    approver_id = ma.fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "R25: a supervisor or administrator approving an outage over 12 h"})
    urgent = ma.fields.Boolean(load_default=False, metadata={
        "description": "R25 waived for short notice; supervisors and administrators only"})
