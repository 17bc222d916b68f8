"""Every schema change is a migration: upgrading an empty database gives exactly the models,
and upgrading twice is harmless."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from hotline.extensions import db
from alembic.script import ScriptDirectory

from hotline.migrate import alembic_config, upgrade


def test_migrations_match_models(app, schema):
    with app.app_context():
        context = MigrationContext.configure(db.session.connection(),
                                             opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


@pytest.mark.commits  # Alembic runs on a connection of its own: it must see the row
def test_upgrade_is_repeatable_and_keeps_data(app, session):
    from tests.factories import make_area

    make_area(session, code="KEEP")
    session.commit()
    upgrade(app)  # already at heads: nothing changes, nothing is lost
    with app.app_context():
        assert db.session.execute(text("SELECT code FROM areas")).scalars().all() == ["KEEP"]
        stored = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    script = ScriptDirectory.from_config(alembic_config(app))
    applied = {r.revision for r in script.iterate_revisions(tuple(stored), "base")}
    assert set(script.get_heads()) <= applied


def test_every_model_table_exists(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_outbox_claims_migration_keeps_every_message(backend, tmp_path):
    """core_0003_outbox adds the delivery worker's claim columns to an outbox that already
    holds messages: every row and value stays, unclaimed."""
    from datetime import datetime, timezone

    from hotline.app import create_app
    from hotline.clock import FixedClock
    from tests.conftest import PG_URL, T0, base_config
    from tests.databases import create_scratch, drop_scratch

    url = (create_scratch(PG_URL, prefix="hotline_mig") if backend == "postgresql"
           else f"sqlite:///{tmp_path / 'old.sqlite3'}")
    app = create_app(base_config(url, str(tmp_path), FixedClock(T0)))
    try:
        upgrade(app, "core_0002")
        when = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
        row = {"channel": "sms", "to_number": "+8613912345678", "body": "已受理", "call_url": "",
               "status": "failed", "attempts": 6, "next_attempt_at": when,
               "last_error": "20503 busy", "provider": "twilio", "provider_sid": "",
               "dedupe_key": "keep-1", "subject_type": "work_order", "subject_id": 7,
               "created_at": when, "sent_at": None}
        with app.app_context():
            with db.engine.begin() as conn:
                assert "claimed_by" not in {
                    c["name"] for c in inspect(conn).get_columns("outbox_messages")}
                conn.execute(db.metadata.tables["outbox_messages"].insert(), [row])
        upgrade(app)
        with app.app_context():
            with db.engine.connect() as conn:
                stored = [dict(r._mapping) for r in conn.execute(
                    db.metadata.tables["outbox_messages"].select())]
            db.engine.dispose()
        assert len(stored) == 1
        assert {k: stored[0][k] for k in row} == row
        assert (stored[0]["claimed_by"], stored[0]["claimed_until"]) == (None, None)
    finally:
        with app.app_context():
            db.engine.dispose()
        if backend == "postgresql":
            drop_scratch(url)


def test_agent_states_migration_keeps_who_was_available(backend, tmp_path):
    """ivr_0005 turns agent_presence's boolean into a state: an agent who was available
    stays available, one who was away is offline; nothing is lost."""
    from datetime import datetime, timezone

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
            command.downgrade(alembic_config(app), "ivr_0004")
            when = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
            users = db.metadata.tables["users"]
            with db.engine.begin() as conn:
                assert "state" not in {
                    c["name"] for c in inspect(conn).get_columns("agent_presence")}
                for n, name in enumerate(("wang", "li"), 1):
                    conn.execute(users.insert().values(
                        id=n, username=name, display_name="", role="agent", locale="zh_CN",
                        phone="", password_hash="x", active=True, absent=False,
                        created_at=when))
                conn.execute(text(
                    "INSERT INTO agent_presence (user_id, available, changed_at, seen_at) "
                    "VALUES (1, :yes, :when, :when), (2, :no, :when, :when)"),
                    {"yes": True, "no": False, "when": when})
        upgrade(app)
        with app.app_context():
            with db.engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT user_id, available, state, reason, call_id FROM agent_presence "
                    "ORDER BY user_id")).all()
            db.engine.dispose()
        assert [tuple(r) for r in rows] == [(1, True, "available", "", None),
                                            (2, False, "offline", "", None)]
    finally:
        with app.app_context():
            db.engine.dispose()
        if backend == "postgresql":
            drop_scratch(url)
