"""API tokens expire and can be rotated without downtime (`hotline tokens ...`)."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from hotline.app import create_app
from hotline.auth.models import ApiToken
from hotline.extensions import db
from hotline.migrate import upgrade
from tests.factories import make_user


@pytest.fixture
def api_user(session):
    user = make_user(session, username="erp", role="supervisor")
    session.commit()
    return user


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def status(client, token):
    return client.get("/api/v1/workorders",
                      headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_expires_after_its_days(app, client, api_user, clock, session):
    code, out = cli(app, "tokens", "create", "erp", "--days", "30", "--name", "ERP")
    assert code == 0 and "expires in 30 days" in out
    token = out.strip().splitlines()[-1]
    assert session.query(ApiToken).one().expires_at == clock.now() + timedelta(days=30)
    assert status(client, token) == 200
    clock.advance(days=30)
    assert status(client, token) == 401


def test_token_lifetimes_are_checked(app, api_user, session):
    for days in ("0", "4000"):
        code, out = cli(app, "tokens", "create", "erp", "--days", days)
        assert code != 0 and "days" in out
    assert session.query(ApiToken).count() == 0


def test_rotation_overlaps_then_retires_the_old_token(app, client, api_user, clock):
    _, out = cli(app, "tokens", "create", "erp")
    old = out.strip().splitlines()[-1]
    code, out = cli(app, "tokens", "rotate", old.split("_")[1], "--days", "60")
    assert code == 0, out
    new = out.strip().splitlines()[-1]
    assert new != old and "stops working at 2026-11-25 10:00" in out
    assert status(client, old) == 200 and status(client, new) == 200
    clock.advance(hours=24, seconds=1)
    assert status(client, old) == 401 and status(client, new) == 200
    # A retired token cannot be rotated again: create a new one instead.
    code, out = cli(app, "tokens", "rotate", old)
    assert code != 0 and "tokens create" in out


def test_rotation_without_overlap_revokes_at_once(app, client, api_user):
    _, out = cli(app, "tokens", "create", "erp")
    old = out.strip().splitlines()[-1]
    code, out = cli(app, "tokens", "rotate", old, "--overlap-hours", "0")
    assert code == 0 and "stops working now" in out
    assert status(client, old) == 401
    assert status(client, out.strip().splitlines()[-1]) == 200


def test_list_shows_state_and_expiry_never_secrets(app, api_user, clock):
    _, out = cli(app, "tokens", "create", "erp", "--name", "ERP", "--days", "1")
    token = out.strip().splitlines()[-1]
    clock.advance(days=2)
    _, out = cli(app, "tokens", "create", "erp", "--name", "BI")
    code, listing = cli(app, "tokens", "list", "erp")
    assert code == 0
    lines = listing.strip().splitlines()
    assert len(lines) == 2 and "expired" in lines[0] and "ERP" in lines[0]
    assert "active" in lines[1] and "BI" in lines[1]
    assert token.split("_")[2] not in listing


def test_upgrade_gives_existing_tokens_an_expiry(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    upgrade(app, "core_0002")
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO users (id, username, display_name, role, locale, phone, "
            "password_hash, active, absent, failed_logins, created_at) VALUES "
            "(1, 'erp', 'erp', 'agent', 'en', '', 'x', 1, 0, 0, '2026-01-01 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) "
            "VALUES (1, 'old', 'abcd1234', 'x', '2026-01-01 00:00:00')"))
        db.session.commit()
    upgrade(app)
    with app.app_context():
        row = db.session.query(ApiToken).one()
        in_90_days = datetime.now(timezone.utc) + timedelta(days=90)
        assert abs(row.expires_at - in_90_days) < timedelta(minutes=5)
        assert row.name == "old" and row.prefix == "abcd1234"
        db.engine.dispose()
