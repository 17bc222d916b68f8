from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from hotline.extensions import db
from tests.factories import make_area, make_customer


def test_aware_datetimes_round_trip_as_utc(session):
    local = datetime(2026, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    account = make_customer(session, now=local)
    session.commit()
    session.expire_all()
    loaded = session.get(type(account), account.id)
    assert loaded.created_at == local
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(session):
    area = make_area(session)
    with pytest.raises(StatementError, match="naive datetime refused"):
        make_customer(session, area=area, now=datetime(2026, 3, 1, 8, 30))
    session.rollback()


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode(app):
    with app.app_context():
        mode = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
        timeout = db.session.execute(db.text("PRAGMA busy_timeout")).scalar()
    assert mode == "wal"
    assert timeout >= 5000
