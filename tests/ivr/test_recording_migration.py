"""ivr_0006_recordings adds the recording's SID and duration and the agent's leg to calls,
and the local copies' table: every stored call keeps its values (a voicemail's URL too)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import inspect, text

from hotline.extensions import db
from hotline.migrate import alembic_config, upgrade


def test_recordings_migration_keeps_every_call(backend, tmp_path):
    from alembic import command

    from hotline.app import create_app
    from hotline.clock import FixedClock
    from tests.conftest import PG_URL, T0, base_config
    from tests.databases import create_scratch, drop_scratch

    url = (create_scratch(PG_URL, prefix="hotline_mig") if backend == "postgresql"
           else f"sqlite:///{tmp_path / 'old.sqlite3'}")
    app = create_app(base_config(url, str(tmp_path), FixedClock(T0)))
    try:
        upgrade(app)
        with app.app_context():
            command.downgrade(alembic_config(app), "ivr_0005")
            when = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
            with db.engine.begin() as conn:
                assert "recording_sid" not in {
                    c["name"] for c in inspect(conn).get_columns("calls")}
                assert "recording_copies" not in inspect(conn).get_table_names()
                conn.execute(text(
                    "INSERT INTO calls (id, call_sid, from_number, to_number, direction, "
                    "language, ivr_path, started_at, queue_name, status, status_rank, "
                    "voicemail_order, recording_url, transcription, outcome) VALUES "
                    "(1, 'CA1', '+8613912345678', '+861012345', 'inbound', 'zh', "
                    "'main:4>report:leak>voicemail', :when, '', 'completed', 4, "
                    "'WO-20261124-0001', 'https://api.twilio.com/rec/RE1', '', 'voicemail')"),
                    {"when": when})
        upgrade(app)
        with app.app_context():
            with db.engine.connect() as conn:
                row = conn.execute(text(
                    "SELECT call_sid, voicemail_order, recording_url, recording_sid, "
                    "recording_duration, agent_call_sid, outcome FROM calls")).one()
                copies = conn.execute(text("SELECT count(*) FROM recording_copies")).scalar()
            db.engine.dispose()
        assert tuple(row) == ("CA1", "WO-20261124-0001", "https://api.twilio.com/rec/RE1", "",
                              None, "", "voicemail")
        assert copies == 0
    finally:
        with app.app_context():
            db.engine.dispose()
        if backend == "postgresql":
            drop_scratch(url)
