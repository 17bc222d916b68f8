"""API reads write nothing: a token's last use is stamped at most once a minute, in its own
short transaction (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from hotline.auth.models import ApiToken
from hotline.extensions import db
from tests.factories import make_token, make_user


def _writes_during(app, fn) -> list[str]:
    seen: list[str] = []

    def spy(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    return seen


def _last_used(session):
    session.expire_all()
    return session.scalar(select(ApiToken.last_used_at))


@pytest.mark.commits  # the stamp commits on a connection of its own
def test_token_use_is_stamped_at_most_once_a_minute(app, client, session, clock):
    user = make_user(session, role="agent", username="api")
    token = make_token(session, user, clock.now())
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    first = _writes_during(app, lambda: client.get("/api/v1/outages", headers=headers))
    assert len(first) == 1 and "api_tokens" in first[0]
    assert _last_used(session) == clock.now()  # committed, though the GET never commits
    stamped = clock.now()

    clock.advance(seconds=30)
    again = _writes_during(app, lambda: [client.get("/api/v1/outages", headers=headers)
                                         for _ in range(3)])
    assert again == []  # within the minute: the reads write nothing at all
    assert _last_used(session) == stamped

    clock.advance(seconds=31)
    later = _writes_during(app, lambda: client.get("/api/v1/outages", headers=headers))
    assert len(later) == 1
    assert _last_used(session) == stamped + timedelta(seconds=61)


def test_a_refused_token_is_never_stamped(app, client, session, clock):
    user = make_user(session, role="agent", username="api")
    token = make_token(session, user, clock.now())
    session.commit()
    response = client.get("/api/v1/outages", headers={"Authorization": f"Bearer {token}x"})
    assert response.status_code == 401
    assert _last_used(session) is None
