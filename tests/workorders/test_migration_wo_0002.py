"""Upgrading a database that holds orders from before wo_0002 / sla_0003 loses nothing: each
order's address becomes its work location too (R27), a pending extension request keeps the
time it was asked (R15), and the R13 escalation policy is seeded once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from hotline.app import create_app
from hotline.db import UTCDateTime
from hotline.extensions import db
from hotline.migrate import upgrade
from tests.conftest import PG_URL, base_config
from tests.databases import create_scratch, drop_scratch

ASKED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
OPENED = datetime(2026, 11, 19, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def empty_url(backend, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    url = create_scratch(PG_URL, prefix="hotline_wo0002")
    try:
        yield url
    finally:
        drop_scratch(url)


ORDERS = sa.table(
    "work_orders", *(sa.column(c) for c in (
        "number", "version", "channel", "category_code", "priority", "status", "contact_name",
        "contact_phone", "street", "house_number", "landmark", "missing_details",
        "description", "call_sid", "recording_url", "routed_by", "confidential", "result",
        "return_reason", "reopen_count", "follow_up_attempts", "extension_kind",
        "extension_reason")),
    sa.column("id", sa.Integer), sa.column("opened_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()), sa.column("extension_due", UTCDateTime()))
EVENTS = sa.table("work_order_events", sa.column("order_id"), sa.column("action"),
                  sa.column("note"), sa.column("payload", sa.JSON), sa.column("at", UTCDateTime()))


def _order(id_, number, *, street, confidential=False, extension_due=None):
    return {"id": id_, "number": number, "version": 3, "channel": "phone",
            "category_code": "complaint", "priority": "high", "status": "accepted",
            "contact_name": "李四", "contact_phone": "+8613700000001", "street": street,
            "house_number": "8号", "landmark": "公园东门", "missing_details": "",
            "description": "x", "call_sid": "", "recording_url": "", "routed_by": "",
            "confidential": confidential, "result": "", "return_reason": "",
            "reopen_count": 0, "follow_up_attempts": 0,
            "extension_kind": "resolve" if extension_due else None,
            "extension_reason": "需厂家配合" if extension_due else "",
            "opened_at": OPENED, "updated_at": OPENED, "extension_due": extension_due}


def test_upgrade_copies_addresses_and_request_times(empty_url, tmp_path, clock):  # R27 R15
    app = create_app(base_config(empty_url, str(tmp_path), clock))
    upgrade(app, "wo_0001")
    upgrade(app, "sla_0002")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(ORDERS.insert(), [
                _order(1, "WO-20261119-0001", street="人民路"),
                _order(2, "WO-20261119-0002", street="幸福里", confidential=True,
                       extension_due=datetime(2026, 12, 9, 16, tzinfo=timezone.utc))])
            conn.execute(EVENTS.insert(), [
                {"order_id": 2, "action": "request_extension", "note": "", "payload": {},
                 "at": ASKED.replace(day=19)},
                {"order_id": 2, "action": "request_extension", "note": "", "payload": {},
                 "at": ASKED}])
        db.engine.dispose()
    upgrade(app)
    with app.app_context():
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT id, street, work_street, work_house_number, work_landmark, "
                "repeat_of_id, overseer_department_id FROM work_orders ORDER BY id")).all()
            asked = conn.execute(sa.select(sa.column("extension_requested_at",
                                                     UTCDateTime())).select_from(
                sa.table("work_orders")).order_by(sa.text("id"))).scalars().all()
            policies = conn.execute(sa.text(
                "SELECT limit_working_days, rule FROM sla_policies "
                "WHERE kind = 'escalate_repeat' AND starts_on = 'repeat'")).all()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "人民路", "人民路", "8号", "公园东门", None, None),
                                        (2, "幸福里", "幸福里", "8号", "公园东门", None, None)]
    assert asked == [None, ASKED]  # the latest request's time, only where one is pending
    assert [tuple(p) for p in policies] == [(2, "R13")]
