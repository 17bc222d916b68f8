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
