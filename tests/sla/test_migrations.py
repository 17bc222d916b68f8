"""Upgrading an existing database to sla_0004 (R14 tiers, R16/R19/R24 policies, P4) loses
nothing: admins' policy edits stay, and a clock escalated under the old rule (督办 at breach)
counts as reminded, so P4 does not remind it again."""

import pytest
from sqlalchemy import text

from hotline.app import create_app
from hotline.clock import FixedClock
from hotline.extensions import db
from hotline.migrate import upgrade
from tests.conftest import T0, base_config


@pytest.mark.sqlite_only
def test_upgrade_to_sla_0004_keeps_policies_and_clocks(backend, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(base_config(url, str(tmp_path), FixedClock(T0)))
    upgrade(app, "sla_0002")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE sla_policies SET limit_minutes = 25 "
                              "WHERE kind = 'accept'"))
            conn.execute(text(
                "INSERT INTO deadlines (subject_type, subject_id, kind, rule, limit_minutes, "
                "warn_ratio, state, started_at, due_at, original_due_at, warn_at, breached_at, "
                "escalated_at, extension_reason) VALUES ('work_order', 7, 'resolve', 'R18', 60, "
                "0.8, 'running', '2026-11-20 01:00:00.000000', '2026-11-20 02:00:00.000000', "
                "'2026-11-20 02:00:00.000000', '2026-11-20 01:48:00.000000', "
                "'2026-11-20 02:00:00.000000', '2026-11-20 02:00:30.000000', '')"))
    upgrade(app)
    with app.app_context():
        with db.engine.connect() as conn:
            accept = conn.execute(text(
                "SELECT limit_minutes, priority, active FROM sla_policies WHERE kind = 'accept' "
                "ORDER BY priority IS NOT NULL, priority")).all()
            clock = conn.execute(text("SELECT reminded_at, escalated_at FROM deadlines")).one()
            added = conn.execute(text(
                "SELECT category, kind, starts_on, limit_working_days FROM sla_policies "
                "WHERE starts_on IN ('small_repair', 'special', 'survey_done', 'design_done') "
                "ORDER BY id")).all()
        db.engine.dispose()
    assert accept[0] == (25, None, 1)  # the admin's edit survives
    assert sorted(a[1] for a in accept[1:]) == ["high", "low", "normal", "urgent"]
    assert all(a[0] == 20 and a[2] == 0 for a in accept[1:])  # R14 tiers, inactive
    assert clock[0] is not None and clock[0] == clock[1]
    assert added == [("leak", "resolve", "small_repair", 0), ("enquiry", "reply", "special", 3),
                     ("connection", "design", "survey_done", 3),
                     ("connection", "construction", "design_done", 5)]
