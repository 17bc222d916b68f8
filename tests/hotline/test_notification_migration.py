"""Migration core_0005: read state moves from `notifications.read_at` to one row per reader.
A notification addressed to one user stays read for that user; a role- or department-wide
read time (one person's click, shown as read to everybody) is dropped. Nothing else is
lost, and the downgrade puts the recipients' read times back."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from hotline.app import create_app
from hotline.migrate import alembic_config, upgrade
from tests.conftest import PG_URL, base_config
from tests.databases import create_scratch, drop_scratch

READ = datetime(2026, 11, 24, 2, 30, tzinfo=timezone.utc)


@pytest.fixture
def scratch(backend, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/migrate.sqlite3"
        return
    url = create_scratch(PG_URL, prefix="hotline_migrate")
    try:
        yield url
    finally:
        drop_scratch(url)


def seed_old_rows(url: str) -> None:
    engine = create_engine(url)
    stamp = "2026-11-24 02:00:00" if url.startswith("sqlite") else "2026-11-24 02:00:00+00"
    read = "2026-11-24 02:30:00" if url.startswith("sqlite") else "2026-11-24 02:30:00+00"
    with engine.begin() as conn:
        for i, role in ((1, "agent"), (2, "supervisor")):
            conn.execute(text(
                "INSERT INTO users (id, username, display_name, role, locale, phone, "
                "password_hash, active, absent, failed_logins, created_at) VALUES "
                "(:id, :name, :name, :role, 'zh_CN', '', 'x', true, false, 0, :at)"),
                {"id": i, "name": f"user{i}", "role": role, "at": stamp})
        rows = [  # (id, user, role, read_at)
            (1, 1, None, read),     # the agent's own, read: stays read for them
            (2, 1, None, None),     # the agent's own, unread
            (3, None, "supervisor", read),  # role-wide, "read" by someone: dropped
        ]
        for nid, user, role, read_at in rows:
            conn.execute(text(
                "INSERT INTO notifications (id, kind, severity, title, body, link, "
                "recipient_user_id, recipient_role, dedupe_key, created_at, read_at) VALUES "
                "(:id, 'work_order', 'info', :title, '', '/workorders/WO-1', :user, :role, "
                ":key, :at, :read_at)"),
                {"id": nid, "title": f"标题{nid}", "user": user, "role": role,
                 "key": f"k{nid}", "at": stamp, "read_at": read_at})
    engine.dispose()


def test_read_times_move_to_their_readers_and_back(scratch, tmp_path, clock):
    app = create_app(base_config(scratch, str(tmp_path), clock))
    upgrade(app, "core_0002")
    seed_old_rows(scratch)
    upgrade(app)
    engine = create_engine(scratch)
    with engine.connect() as conn:
        reads = conn.execute(text(
            "SELECT notification_id, user_id FROM notification_reads")).all()
        titles = conn.execute(text("SELECT id, title, message FROM notifications "
                                   "ORDER BY id")).all()
    assert [tuple(r) for r in reads] == [(1, 1)]
    assert [(r.id, r.title, r.message) for r in titles] == [
        (1, "标题1", None), (2, "标题2", None), (3, "标题3", None)]
    with app.app_context():
        from hotline.extensions import db
        from hotline.notifications.models import NotificationRead

        (row,) = db.session.query(NotificationRead).all()
        assert row.read_at == READ
        db.session.remove()
        db.engine.dispose()
    command.downgrade(alembic_config(app), "core_0002")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT id, read_at IS NOT NULL FROM notifications "
                                 "ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in back] == [(1, True), (2, False), (3, False)]
