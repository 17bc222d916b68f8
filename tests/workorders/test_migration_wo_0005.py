"""Upgrading to wo_0005 loses nothing: an order the crew already reported on site since it
was last accepted keeps that arrival (R16, R17), so "已到达现场" is not offered again; an
arrival before a reopen, or on a finished order, does not count."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from hotline.app import create_app
from hotline.db import UTCDateTime
from hotline.extensions import db
from hotline.migrate import upgrade
from tests.conftest import base_config
from tests.workorders.test_migration_wo_0002 import (EVENTS, OPENED, ORDERS, _order,  # noqa: F401
                                                     empty_url)

ACCEPTED = OPENED + timedelta(minutes=10)


def test_upgrade_keeps_the_arrival_since_the_last_acceptance(empty_url, tmp_path, clock):
    app = create_app(base_config(empty_url, str(tmp_path), clock))
    upgrade(app, "wo_0004")
    accepted = sa.table("work_orders", sa.column("id", sa.Integer),
                        sa.column("status"), sa.column("accepted_at", UTCDateTime()))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(ORDERS.insert(), [_order(i, f"WO-20261119-000{i}", street="人民路")
                                           for i in (1, 2, 3, 4)])
            for id_, status in ((1, "in_progress"), (2, "in_progress"), (3, "resolved"),
                                (4, "accepted")):
                conn.execute(accepted.update().where(accepted.c.id == id_).values(
                    status=status, accepted_at=ACCEPTED))
            conn.execute(EVENTS.insert(), [
                {"order_id": 1, "action": "arrive", "note": "", "payload": {},
                 "at": ACCEPTED + timedelta(minutes=15)},
                {"order_id": 2, "action": "arrive", "note": "", "payload": {},
                 "at": ACCEPTED - timedelta(minutes=5)},  # before it was accepted again
                {"order_id": 3, "action": "arrive", "note": "", "payload": {},
                 "at": ACCEPTED + timedelta(minutes=15)}])
        db.engine.dispose()
    upgrade(app)
    with app.app_context():
        with db.engine.connect() as conn:
            arrived = conn.execute(sa.select(sa.column("arrived_at", UTCDateTime()))
                                   .select_from(sa.table("work_orders"))
                                   .order_by(sa.text("id"))).scalars().all()
            numbers = conn.execute(sa.text("SELECT count(*) FROM work_orders")).scalar()
        db.engine.dispose()
    assert numbers == 4
    assert arrived == [ACCEPTED + timedelta(minutes=15), None, None, None]
