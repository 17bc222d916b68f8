"""The crawler (issue 12, item 1): with the demo loaded, every role in both languages visits
every page of its navigation, an order, a household file and a monthly report, and reads
them as a person would. A time in UTC, a raw code (`on_site`, `awaiting_customer`, a
category code) or text in the other language fails the test, which prints every offence
with its page, role and language so that fixing is easy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.auth.roles import ROLES
from hotline.demo.cli import load_demo
from hotline.knowledge.models import Article
from hotline.outages.models import OutageNotice
from hotline.registry import registry
from ivr.models import CALLBACK_REASONS, CALLBACK_RESULTS, OUTCOMES, Call, CallbackRequest
from sla.jobs import roll_up_service_level, watch_clusters, watch_deadlines
from sla.models import Cluster
from tests.conftest import csrf_token_from
from tests.scenarios.crawl import offences, vocabulary
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.rules.states import ACTIONS, FOLLOW_UP_OUTCOMES, STATUSES

pytestmark = pytest.mark.sqlite_only

LOGINS = {"agent": "agent", "staff": "mnt-cd-1", "supervisor": "supervisor", "admin": "admin"}
PASSWORD = "hotline-demo"
LOCALES = ("en", "zh_CN")
CALLER = "+8613800138000"  # 王建国, account 11000001
CODES = (*STATUSES, *ACTIONS, *FOLLOW_UP_OUTCOMES, *OUTCOMES, *CALLBACK_REASONS,
         *CALLBACK_RESULTS, *ROLES, "accept", "respond", "on_site", "reply", "resolve",
         "follow_up", "escalate_cluster", "hotline", "hotline-priority")


def add_calls(session, now, agent_id: int) -> None:
    """A household's calls of every outcome, a callback due and a caller waiting too long
    (the wallboard's list), so those pages have rows to read."""
    for i, outcome in enumerate(OUTCOMES):
        start = now - timedelta(hours=5 - i)
        answered = start + timedelta(seconds=20) if outcome == "answered" else None
        call = Call(call_sid=f"CACRAWL{i}", from_number=CALLER, to_number="+861088886666",
                    started_at=start, entered_queue_at=start + timedelta(seconds=8),
                    queue_name="hotline", answered_at=answered,
                    agent_id=agent_id if answered else None,
                    answer_seconds=12.5 if answered else None, ended_at=start + timedelta(
                        minutes=3), outcome=outcome, ivr_path="main:0>to-agent", status="completed")
        session.add(call)
        if outcome == "abandoned":
            session.flush()
            session.add(CallbackRequest(call_id=call.id, phone=CALLER, reason="abandoned",
                                        requested_at=start, due_at=start + timedelta(
                                            minutes=30)))
    session.add(Call(call_sid="CACRAWLWAIT", from_number="+8613911112222", started_at=now
                     - timedelta(seconds=70), entered_queue_at=now - timedelta(seconds=60),
                     queue_name="hotline", ivr_path="main:0>to-agent", status="in-progress"))
    # On the line with the agent: the screen-pop.
    session.add(Call(call_sid="CACRAWLLIVE", from_number=CALLER, started_at=now - timedelta(
        minutes=2), entered_queue_at=now - timedelta(seconds=110), queue_name="hotline",
        answered_at=now - timedelta(seconds=100), agent_id=agent_id, answer_seconds=10.0,
        ivr_path="main:0>to-agent", status="in-progress"))


@pytest.fixture
def demo(app, session, clock):
    from hotline.auth.models import User

    now = clock.now()
    load_demo(app, session, now)
    agent = session.scalar(select(User).where(User.username == "agent"))
    add_calls(session, now, agent.id)
    session.commit()
    later = now + timedelta(minutes=1)
    for job in (watch_deadlines, watch_clusters, roll_up_service_level):
        job(session, app, later)
        session.commit()
    return now


def richest_orders(session, department_id=None, limit=2) -> list[str]:
    """The orders with the longest timelines (reopened, returned, clocks of every kind)."""
    stmt = (select(WorkOrder.number).join(WorkOrderEvent, WorkOrderEvent.order_id
                                          == WorkOrder.id)
            .group_by(WorkOrder.id).order_by(func.count().desc(), WorkOrder.id).limit(limit))
    if department_id is not None:
        stmt = stmt.where(WorkOrder.department_id == department_id)
    return list(session.scalars(stmt))


def pages_for(app, session, role: str, department_id) -> list[tuple[str, int]]:
    with app.test_request_context():
        from flask import url_for

        nav = [url_for(i.endpoint, **i.kwargs) for i in registry(app).nav_for(role)]
    pages = [(url, 200) for url in nav]
    pages += [("/notifications", 200), ("/workorders/?view=all", 200)]
    pages += [(f"/workorders/{n}", 200) for n in richest_orders(
        session, department_id if role == "staff" else None)]
    pages += [(f"/outages/{o}", 200) for o in session.scalars(select(OutageNotice.id))]
    # P1: the knowledge base's article, its history and an earlier revision, a category and
    # a search; supervision also writes.
    revised = session.scalar(select(Article.id).where(Article.revision > 1).limit(1))
    pages += [(f"/knowledge/{revised}", 200), (f"/knowledge/{revised}/revisions/1", 200),
              (f"/knowledge/{revised}/revisions/2", 200), ("/knowledge?category=outages", 200),
              ("/knowledge?q=%E5%81%9C%E6%B0%B4", 200)]
    pages += [(f"/knowledge/{revised}/edit", 200 if role in ("supervisor", "admin") else 403),
              ("/knowledge/new", 200 if role in ("supervisor", "admin") else 403)]
    if role == "staff":
        pages += [("/workorders/?view=queue", 200), ("/admin/users", 403),
                  ("/customers/11000001", 403)]
    else:
        pages += [("/customers/11000001", 200), ("/softphone/current", 200),
                  ("/telephony/callbacks?show=all", 200)]
    if role in ("supervisor", "admin"):
        pages += [("/sla/report?month=2026-11", 200)]
        pages += [(f"/sla/clusters/{c}", 200) for c in session.scalars(select(Cluster.id))]
    if role == "admin":
        pages += [("/sla/policies/1", 200), ("/admin/users/1", 200),
                  ("/workorders/admin/categories/leak", 200), ("/admin/departments/1", 200),
                  ("/admin/areas/1", 200), ("/workorders/admin/routing/1", 200)]
    if role == "agent":
        pages += [("/sla/", 403), ("/workorders/WO-20000101-0001", 404)]
    return pages


def visit_as(app, username: str, locale: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302, f"{username} cannot log in"
    home = client.get("/").get_data(as_text=True)
    client.post(f"/lang/{locale}", data={"csrf_token": csrf_token_from(home), "next": "/"})
    return client


def unlinked_notifications(app, session, user, client) -> list[str]:
    """Issue 12, item 2: each notification links to its subject, which its reader may open."""
    from hotline.notifications.services import for_user

    with app.test_request_context():
        items = for_user(session, user, limit=200)
    found = [f"notification without a link ({user.username}): {i.title}" for i in items
             if not i.link]
    for link in sorted({i.link for i in items if i.link}):
        status = client.get(link).status_code
        if status != 200:
            found.append(f"notification link {link} ({user.username}): status {status}")
    return found


def test_every_page_reads_in_local_time_words_and_one_language(app, session, demo):
    from hotline.auth.models import User

    vocab = vocabulary(session, CODES)
    found: list[str] = []
    visited = 0
    for locale in LOCALES:  # the login page, logged out
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        client.post(f"/lang/{locale}", data={"csrf_token": token, "next": "/login"})
        html = client.get("/login").get_data(as_text=True)
        found += [f"/login (anonymous, {locale}): {o}" for o in offences(html, locale, vocab)]
    for role, username in LOGINS.items():
        user = session.scalar(select(User).where(User.username == username))
        pages = pages_for(app, session, role, user.department_id)
        for locale in LOCALES:
            client = visit_as(app, username, locale)
            for url, status in pages:
                response = client.get(url)
                visited += 1
                where = f"{url} ({role}, {locale})"
                if response.status_code != status:
                    found.append(f"{where}: status {response.status_code}, expected {status}")
                    continue
                html = response.get_data(as_text=True)
                found += [f"{where}: {o}" for o in offences(html, locale, vocab)]
        found += unlinked_notifications(app, session, user, client)
    print(f"\n{visited} pages read, {len(found)} offences")
    for line in found:
        print(line)
    assert visited >= 80
    assert not found, f"{len(found)} offences (listed above), e.g. {found[:5]}"


def test_the_reader_finds_each_kind_of_offence():
    """The crawler's eyes: what it must catch, and what it must let pass (data values,
    scripts, identifiers shown on purpose)."""
    from tests.scenarios.crawl import Vocabulary

    vocab = Vocabulary(data=["王建国", "解放东路812号", "Chengdong District", "agent"],
                       data_words={"Chengdong", "District", "agent"},
                       codes={"leak", "on_site", "agent", "pending"})
    english = """<html><head><title>Order</title><script>var x = "on_site 督办";</script>
      </head><body><p>due 13:29 UTC</p><td>leak</td><td>on_site started</td>
      <td>R7 (area)</td><span title="督办">王建国 · 解放东路812号</span><td>agent</td>
      <td>Pending</td><code>leak</code><td>Chengdong District · 城东区</td></body></html>"""
    found = offences(english, "en", vocab)
    assert found == [
        "UTC: 'due 13:29 UTC'", "raw code 'leak' in 'leak'",
        "raw code 'on_site' in 'on_site started'",
        "rule code instead of words: 'R7 (area)'", "Chinese '督办' in '督办'",
        "Chinese '城东区' in 'Chengdong District · 城东区'"], found
    chinese = """<body><p>已超时 WO-20261124-0001 的 Acceptance 时限</p><p>agent · SLA</p>
      <input type="submit" value="Save"><p placeholder="Chengdong District"></p></body>"""
    assert offences(chinese, "zh_CN", vocab) == [
        "English 'Acceptance' in '已超时 WO-20261124-0001 的 Acceptance 时限'",
        "English 'Save' in 'Save'"]
