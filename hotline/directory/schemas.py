"""API schemas of the directory."""

from __future__ import annotations

import marshmallow as ma


class AreaRefSchema(ma.Schema):
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    kind = ma.fields.String()


class CustomerSchema(ma.Schema):
    account_number = ma.fields.String()
    name = ma.fields.String()
    street = ma.fields.String()
    house_number = ma.fields.String()
    landmark = ma.fields.String()
    address = ma.fields.String()
    area = ma.fields.Nested(AreaRefSchema)
    phones = ma.fields.List(ma.fields.String(), metadata={
        "description": "E.164; masked (+86138****5678) for users without a need (R27)"})
    meter_number = ma.fields.String()
    balance_due = ma.fields.Decimal(as_string=True)
    last_bill_date = ma.fields.Date(allow_none=True)
    last_bill_amount = ma.fields.Decimal(as_string=True, allow_none=True)


class CustomerFileSchema(CustomerSchema):
    """The household file (R30): the account with its work orders and calls, newest
    first (each list holds the latest 50)."""

    orders = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "number, status, category, priority, department, opened_at, closed_at"})
    calls = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "as in GET /api/v1/calls"})


class CustomerQuerySchema(ma.Schema):
    phone = ma.fields.String(load_default="",
                             metadata={"description": "any format; matched as E.164"})
    account = ma.fields.String(load_default="", metadata={"description": "exact account number"})
    q = ma.fields.String(load_default="", metadata={"description": "part of the name or street"})
