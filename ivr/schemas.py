"""API schemas of the IVR's call records."""

from __future__ import annotations

import marshmallow as ma

from ivr.call_queries import MAX_PAGE, OUTCOMES


class CallQuerySchema(ma.Schema):
    phone = ma.fields.String(load_default="", metadata={
        "description": "the caller's number in any common format (matched as E.164)"})
    account = ma.fields.String(load_default="", metadata={
        "description": "calls from this customer account (exact account number)"})
    outcome = ma.fields.String(load_default=None, validate=ma.validate.OneOf(OUTCOMES))
    since = ma.fields.AwareDateTime(load_default=None, metadata={
        "description": "ISO 8601 with offset: calls started at or after"})
    until = ma.fields.AwareDateTime(load_default=None, metadata={
        "description": "ISO 8601 with offset: calls started before"})
    agent = ma.fields.String(load_default="", metadata={"description": "agent username"})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, MAX_PAGE))
    before = ma.fields.Integer(load_default=None, validate=ma.validate.Range(1), metadata={
        "description": "cursor: the `next` value of the previous page"})


class CallSchema(ma.Schema):
    call_sid = ma.fields.String()
    direction = ma.fields.String()
    from_number = ma.fields.String(metadata={
        "description": "E.164; masked (+86138****5678) for users without a need (R27)"})
    account_number = ma.fields.String(allow_none=True)
    language = ma.fields.String()
    ivr_path = ma.fields.String()
    started_at = ma.fields.DateTime()
    asked_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "when the caller asked for a person or reported a leak (R2, R3)"})
    entered_queue_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "when Twilio really queued the caller: the first wait-URL request"})
    answered_at = ma.fields.DateTime(allow_none=True)
    answer_seconds = ma.fields.Float(allow_none=True, metadata={
        "description": "R1: bridged − really queued, server clock"})
    twilio_queue_time = ma.fields.Integer(allow_none=True, metadata={
        "description": "Twilio's whole-second QueueTime at the bridge (cross-check)"})
    ended_at = ma.fields.DateTime(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    agent = ma.fields.String(allow_none=True, metadata={"description": "agent username"})
    voicemail_order = ma.fields.String()
    recording_sid = ma.fields.String(allow_none=True, metadata={
        "description": "Twilio's RecordingSid; played at /recordings/{sid} (issue 11.5)"})
    recording_duration = ma.fields.Integer(allow_none=True, metadata={
        "description": "seconds"})


class CallPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CallSchema))
    next = ma.fields.Integer(allow_none=True, metadata={
        "description": "pass as `before` for the next page; null on the last page"})
