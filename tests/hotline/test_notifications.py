"""Notifications per person (issue 12, item 2): read state per reader, one item per event
per person, each in the reader's language, each linking to its subject."""

from __future__ import annotations

from sqlalchemy import select

from hotline.i18n import localized, tr_install
from hotline.notifications.models import Notification, NotificationRead
from hotline.notifications.services import for_user, notify, unread_count
from tests.conftest import csrf_token_from
from tests.factories import make_user


def page(client, url="/notifications") -> str:
    return client.get(url).get_data(as_text=True)


def read_button(html: str, notification_id: int) -> bool:
    return f"/notifications/{notification_id}/read" in html


def test_reading_a_role_notification_reads_it_for_that_person_only(
        app, session, clock, client, login_as):
    first = make_user(session, "supervisor", username="sup-a")
    second = make_user(session, "supervisor", username="sup-b")
    row, _created = notify(session, dedupe_key="n1", kind="work_order", now=clock.now(),
                           title="WO-20261124-0001: extension requested", role="supervisor",
                           link="/workorders/WO-20261124-0001")
    session.commit()
    login_as(first)
    html = page(client)
    assert read_button(html, row.id)
    response = client.post(f"/notifications/{row.id}/read",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    assert not read_button(page(client), row.id)
    session.expire_all()
    assert unread_count(session, first) == 0 and unread_count(session, second) == 1
    reads = session.scalars(select(NotificationRead)).all()
    assert [(r.notification_id, r.user_id, r.read_at) for r in reads] == [
        (row.id, first.id, clock.now())]


def test_a_notification_for_others_cannot_be_marked_read(app, session, clock, client,
                                                          login_as):
    agent = make_user(session, "agent")
    row, _created = notify(session, dedupe_key="n1", kind="outage", title="x",
                           now=clock.now(), role="supervisor")
    session.commit()
    login_as(agent)
    token = csrf_token_from(page(client))
    assert client.post(f"/notifications/{row.id}/read",
                       data={"csrf_token": token}).status_code == 404
    assert session.scalars(select(NotificationRead)).all() == []


def test_mark_all_read_covers_what_the_reader_sees(app, session, clock, client, login_as):
    agent = make_user(session, "agent")
    other = make_user(session, "agent")
    for i, to in enumerate(({"role": "agent"}, {"user_id": agent.id},
                            {"role": "supervisor"})):
        notify(session, dedupe_key=f"n{i}", kind="outage", title=f"t{i}", now=clock.now(),
               **to)
    session.commit()
    login_as(agent)
    client.post("/notifications/read", data={"csrf_token": csrf_token_from(page(client))})
    session.expire_all()
    assert unread_count(session, agent) == 0 and unread_count(session, other) == 1
    assert len(session.scalars(select(NotificationRead)).all()) == 2


def test_one_event_reaches_a_person_once(app, session, clock, client, login_as):
    # A supervisor who owns an order hears "returned by the department" once, although it
    # is addressed to the supervisors and to the owner; reading it reads both copies.
    supervisor = make_user(session, "supervisor")
    rows = [notify(session, dedupe_key=key, kind="work_order", now=clock.now(),
                   title=tr_install("%(number)s: returned by the department",
                                    number="WO-20261124-0002"),
                   link="/workorders/WO-20261124-0002", **to)[0]
            for key, to in (("r", {"role": "supervisor"}), ("o", {"user_id": supervisor.id}))]
    session.commit()
    with app.test_request_context():
        items = for_user(session, supervisor)
    assert len(items) == 1 and set(items[0].ids) == {r.id for r in rows}
    assert unread_count(session, supervisor) == 1
    login_as(supervisor)
    html = page(client)
    assert html.count("returned by the department") == 0  # the supervisor reads Chinese
    assert html.count("承办单位已退单") == 1
    client.post(f"/notifications/{items[0].id}/read", data={"csrf_token": csrf_token_from(html)})
    session.expire_all()
    assert unread_count(session, supervisor) == 0
    assert len(session.scalars(select(NotificationRead)).all()) == 2


def test_each_reader_gets_their_language(app, session, clock, client, login_as):
    english = make_user(session, "agent", locale="en")
    chinese = make_user(session, "agent", locale="zh_CN")
    title = tr_install("Emergency outage: %(areas)s",
                       areas=localized("城东区、城西区", "Chengdong, Chengxi"))
    row, _created = notify(session, dedupe_key="o1", kind="outage", title=title,
                           now=clock.now(), role="agent", link="/outages/1")
    # A row stored before messages were kept shows its stored title to everyone.
    old, _created = notify(session, dedupe_key="o0", kind="outage", title="计划停水：城南区",
                           now=clock.now(), role="agent", link="/outages/2")
    session.commit()
    assert row.title == "抢修停水：城东区、城西区"  # the install's language, for logs
    assert row.message["title"]["msgid"] == "Emergency outage: %(areas)s"
    assert old.message is None
    login_as(english)
    html = page(client)
    assert "Emergency outage: Chengdong, Chengxi" in html and "计划停水：城南区" in html
    assert '<a href="/outages/1">' in html  # linked to its subject
    client.post("/logout", data={"csrf_token": csrf_token_from(html)})
    login_as(chinese)
    assert "抢修停水：城东区、城西区" in page(client)


def test_a_breach_notice_follows_the_readers_language(app, session, clock):
    """The SLA sweep stores msgids; the clock's name is translated when read."""
    from hotline.notifications.messages import message, render
    from hotline.i18n import Coded
    from flask_babel import force_locale

    stored = message("%(label)s: %(kind)s deadline missed", label="WO-20261124-0003",
                     kind=Coded("clock_phrase", "on_site"))
    with app.test_request_context():
        with force_locale("en"):
            assert render(stored, "fallback") == "WO-20261124-0003: arrival on site deadline missed"
        with force_locale("zh_CN"):
            assert render(stored, "fallback") == "已超时：WO-20261124-0003 的到达现场时限"
        broken = {"msgid": "%(label)s: %(kind)s deadline missed", "params": {}}
        assert render(broken, "stored title") == "stored title"


def test_plain_titles_still_work(app, session, clock):
    row, created = notify(session, dedupe_key="plain", kind="test", title="t", now=clock.now())
    assert created and row.title == "t" and row.message is None
    again, created = notify(session, dedupe_key="plain", kind="test", title="t",
                            now=clock.now())
    assert not created and again.id == row.id
    assert session.scalar(select(Notification.title)) == "t"
