"""The test isolation itself (tests/isolation.py): what a rolled-back test commits never
reaches the database, on SQLite (where pysqlite's own transaction handling would let a
released SAVEPOINT commit) as on PostgreSQL; and the app's registries come back as
`create_app` left them."""

from sqlalchemy import func, select

from hotline.directory.models import Area
from hotline.extensions import db
from sla.ports import ports, register_subject
from tests.factories import make_area
from tests.isolation import AppState, joined


def _committed_areas(app, code: str) -> int:
    """Counted on a connection of the app's own pool: only committed rows are seen."""
    with app.app_context():
        with db.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Area).where(Area.code == code))


def test_commits_and_rollbacks_inside_a_test_stay_in_its_transaction(schema):
    app = schema.app
    with joined(app, schema.connection()):
        with app.app_context():
            make_area(db.session, code="KEPT")
            db.session.commit()  # releases a savepoint only
            make_area(db.session, code="UNDONE")
            db.session.rollback()  # back to the savepoint: KEPT stays
            codes = set(db.session.scalars(select(Area.code)))
            assert "KEPT" in codes and "UNDONE" not in codes
            db.session.remove()
    assert _committed_areas(app, "KEPT") == 0


def test_a_session_of_its_own_joins_the_test_transaction(schema):
    """Code that opens `Session(db.engine)` (after-commit delivery) sees the test's rows."""
    from sqlalchemy.orm import Session

    app = schema.app
    with joined(app, schema.connection()):
        with app.app_context():
            make_area(db.session, code="SEEN")
            db.session.commit()
            with Session(db.engine) as other:
                assert other.scalar(select(Area.id).where(Area.code == "SEEN")) is not None
                other.commit()
            db.session.remove()
    assert _committed_areas(app, "SEEN") == 0


def test_registries_and_config_are_restored(app):
    state = AppState(app)
    original = dict(ports(app).subjects)
    register_subject(app, "work_order", lambda session, ids: {})
    app.extensions["ivr.greeting_cache"] = {("zh", 1): "cached"}
    app.config["HOTLINE_ENV"] = "production"
    state.restore(app)
    assert ports(app).subjects == original
    assert "ivr.greeting_cache" not in app.extensions
    assert app.config["HOTLINE_ENV"] != "production"
