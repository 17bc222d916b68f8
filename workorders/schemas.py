"""Marshmallow schemas of the work-order API (they document /api/v1/openapi.json)."""

from __future__ import annotations

import marshmallow as ma

from workorders.models import CHANNELS
from workorders.rules.practice import RETURN_DECISIONS, VISIT_REQUESTERS
from workorders.rules.states import ACTIONS, FOLLOW_UP_OUTCOMES, STATUSES
from workorders.services.location import MISSING


class VisitSchema(ma.Schema):
    start = ma.fields.AwareDateTime()
    end = ma.fields.AwareDateTime()


class OrderSchema(ma.Schema):
    number = ma.fields.String()
    version = ma.fields.Integer()
    status = ma.fields.String()
    channel = ma.fields.String()
    category = ma.fields.String()
    priority = ma.fields.String()
    confidential = ma.fields.Boolean()
    contact_name = ma.fields.String(metadata={"description": "*** when hidden (R27)"})
    contact_phone = ma.fields.String()
    account_number = ma.fields.String(allow_none=True)
    area = ma.fields.String(allow_none=True)
    street = ma.fields.String(metadata={
        "description": "the complainant's address; *** for departments when confidential (R27)"})
    house_number = ma.fields.String()
    landmark = ma.fields.String()
    work_street = ma.fields.String(metadata={"description": "where the work is (R27)"})
    work_house_number = ma.fields.String()
    work_landmark = ma.fields.String()
    missing_details = ma.fields.List(ma.fields.String())
    description = ma.fields.String()
    department = ma.fields.String(allow_none=True)
    department_name_zh = ma.fields.String(allow_none=True)
    department_name_en = ma.fields.String(allow_none=True)
    routed_by = ma.fields.String()
    owner = ma.fields.String(allow_none=True)
    assignee = ma.fields.String(allow_none=True)
    master = ma.fields.String(allow_none=True)
    subject_user = ma.fields.String(allow_none=True, metadata={
        "description": "the staff member a complaint is about (R28)"})
    subject_department = ma.fields.String(allow_none=True, metadata={
        "description": "the unit a complaint is about, which handles it (R10)"})
    overseer = ma.fields.String(allow_none=True, metadata={
        "description": "the customer-service centre overseeing the complaint (R10)"})
    repeat_of = ma.fields.String(allow_none=True, metadata={
        "description": "repeated complaint (重复投诉): the earlier order (R13)"})
    repeat_reviewed_at = ma.fields.AwareDateTime(allow_none=True)
    reward = ma.fields.Dict(allow_none=True, metadata={
        "description": "R11: a confirmed theft report's reward decision; enforcement and "
                       "supervisors only"})
    household_candidates = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "R30, on creation: the households sharing the caller's number, for "
                       "the agent to choose (update_details with account_number)"})
    result = ma.fields.String()
    return_reason = ma.fields.String()
    reopen_count = ma.fields.Integer()
    follow_up_attempts = ma.fields.Integer()
    satisfaction = ma.fields.String(allow_none=True)
    extension_requested = ma.fields.Dict(allow_none=True)
    opened_at = ma.fields.AwareDateTime()
    dispatched_at = ma.fields.AwareDateTime(allow_none=True)
    accepted_at = ma.fields.AwareDateTime(allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    updated_at = ma.fields.AwareDateTime()
    next_due_at = ma.fields.AwareDateTime(allow_none=True)
    small_repair = ma.fields.Boolean(metadata={"description": "R16: due by 24:00 of its day"})
    special = ma.fields.Boolean(metadata={"description": "R19: 3 working days to reply"})
    stage = ma.fields.String(allow_none=True, metadata={
        "description": "R24: the running stage of a connection application"})
    visit = ma.fields.Nested(VisitSchema, allow_none=True, metadata={
        "description": "R31: the booked visit window"})
    return_review = ma.fields.String(allow_none=True, metadata={
        "description": "P3: disputed | upheld | overruled"})
    actions = ma.fields.List(ma.fields.String(),
                             metadata={"description": "actions this user may do now"})


class OrderPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OrderSchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class OrderFilterSchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    department = ma.fields.String()
    area = ma.fields.String()
    category = ma.fields.String()
    overdue = ma.fields.Boolean()
    owner = ma.fields.String()
    phone = ma.fields.String()
    account = ma.fields.String()
    text = ma.fields.String()
    overseen = ma.fields.Boolean(load_default=False, metadata={
        "description": "R10: the complaints your department oversees"})
    repeated = ma.fields.Boolean(metadata={"description": "R13: repeated complaints only"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=25, validate=ma.validate.Range(min=1, max=200))


class CreateOrderSchema(ma.Schema):
    category = ma.fields.String(required=True)
    description = ma.fields.String(load_default="")
    contact_name = ma.fields.String(load_default="")
    contact_phone = ma.fields.String(load_default="")
    account_number = ma.fields.String(load_default="")
    area = ma.fields.String(load_default="", metadata={"description": "area code"})
    street = ma.fields.String(load_default="")
    house_number = ma.fields.String(load_default="")
    landmark = ma.fields.String(load_default="")
    work_street = ma.fields.String(load_default="", metadata={
        "description": "R27: where the work is, if not the complainant's address"})
    work_house_number = ma.fields.String(load_default="")
    work_landmark = ma.fields.String(load_default="")
    call_sid = ma.fields.String(load_default="")
    confidential = ma.fields.Boolean(load_default=False)
    subject_user = ma.fields.String(load_default="", metadata={
        "description": "username of the staff member a complaint is about (R28)"})
    subject_department = ma.fields.String(load_default="", metadata={
        "description": "code of the unit a complaint is about: it handles the complaint, "
                       "the customer-service centre oversees (R10)"})
    department = ma.fields.String(load_default="", metadata={
        "description": "department code chosen by the agent (R10); else routing decides"})
    answer = ma.fields.String(load_default="", metadata={
        "description": "answered on the call: the order closes at once (R6)"})
    article = ma.fields.String(load_default="", metadata={
        "description": "P1: number of the knowledge-base article the answer came from "
                       "(with `answer`); the order keeps the article's current revision"})
    master_number = ma.fields.String(load_default="")
    small_repair = ma.fields.Boolean(load_default=False, metadata={
        "description": "R16: a leak that is a small repair, due by 24:00 today"})
    channel = ma.fields.String(load_default="api", validate=ma.validate.OneOf(CHANNELS))


class ActionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf(sorted(ACTIONS)))
    version = ma.fields.Integer(metadata={"description": "or the If-Match header"})
    text = ma.fields.String()
    reason = ma.fields.String()
    result = ma.fields.String()
    department = ma.fields.String(metadata={"description": "department code (dispatch)"})
    assignee = ma.fields.String(metadata={"description": "username (dispatch)"})
    new_due = ma.fields.AwareDateTime(metadata={"description": "extension (R15)"})
    kind = ma.fields.String(metadata={"description": "the clock to extend"})
    master_number = ma.fields.String()
    article = ma.fields.String(metadata={
        "description": "P1: knowledge-base article number the answer came from "
                       "(close_on_call)"})
    outcome = ma.fields.String(validate=ma.validate.OneOf(FOLLOW_UP_OUTCOMES))
    attitude = ma.fields.Integer()
    quality = ma.fields.Integer()
    timeliness = ma.fields.Integer()
    result_score = ma.fields.Integer()
    contact_name = ma.fields.String()
    contact_phone = ma.fields.String()
    street = ma.fields.String()
    house_number = ma.fields.String()
    landmark = ma.fields.String()
    area = ma.fields.String(metadata={"description": "area code"})
    description = ma.fields.String()
    work_street = ma.fields.String()
    work_house_number = ma.fields.String()
    work_landmark = ma.fields.String()
    account_number = ma.fields.String(metadata={
        "description": "R30: the household chosen (update_details)"})
    amount = ma.fields.Decimal(metadata={"description": "R11: reward in yuan (decide_reward)"})
    stage = ma.fields.String(validate=ma.validate.OneOf(("survey", "design", "construction")),
                             metadata={"description": "R24: the stage completed"})
    window_start = ma.fields.AwareDateTime(metadata={"description": "R31: visit window"})
    window_end = ma.fields.AwareDateTime(metadata={"description": "R31: visit window"})
    requested_by = ma.fields.String(validate=ma.validate.OneOf(VISIT_REQUESTERS), metadata={
        "description": "R31: who moves or calls off the visit"})
    decision = ma.fields.String(validate=ma.validate.OneOf(RETURN_DECISIONS), metadata={
        "description": "P3: the supervisor's review of a disputed return"})
    latitude = ma.fields.Float(allow_nan=False, metadata={
        "description": "R16/R17 arrive: where the crew is (WGS 84 degrees), with consent"})
    longitude = ma.fields.Float(allow_nan=False, metadata={"description": "arrive"})
    accuracy = ma.fields.Float(allow_nan=False, metadata={
        "description": "arrive: the position's accuracy radius in metres"})
    location_missing = ma.fields.String(validate=ma.validate.OneOf(MISSING), metadata={
        "description": "arrive without a position: not_shared, denied or unavailable"})


class EventSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    action = ma.fields.String()
    actor = ma.fields.String(allow_none=True)
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    note = ma.fields.String()
    payload = ma.fields.Dict()


class DuplicateQuerySchema(ma.Schema):
    category = ma.fields.String()
    area = ma.fields.String()
    account = ma.fields.String()
    phone = ma.fields.String()
