"""P1: an order closed on the call cites the knowledge-base article the agent answered from;
the order keeps that revision through later edits, and the direct-answer rate counts such
closures, also outside the enquiry categories (a caller inside a planned outage answered from
the outage FAQ). Bad citations are refused and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.errors import ValidationFailed
from hotline.knowledge.services import ArticleText, create_article, update_article
from sla.reports import MonthlyReport
from tests.conftest import csrf_token_from
from tests.workorders.conftest import details
from workorders import stats
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.services.create import open_work_order

NOTICE = ArticleText(category="outages", title_zh="计划停水提前多久通知",
                     title_en="How much notice a planned outage gets",
                     body_zh="计划停水12小时以内的，提前24小时告知用户。",
                     body_en="A planned outage of up to 12 hours is announced 24 hours ahead.")


@pytest.fixture
def article(session, world, clock):
    found = create_article(session, world.supervisor, NOTICE, now=clock.now())
    session.commit()
    return found


def unrouted(session, world, clock, ctx, category="no_water") -> WorkOrder:
    """An order still new (no area yet, so not dispatched): the agent may close it on the
    call (R6)."""
    order = open_work_order(session, details(world, category=category, area_id=None,
                                             contact_phone="+8613800000001"),
                            actor=world.agent, channel="voicemail", now=clock.now(), ctx=ctx,
                            allow_incomplete=True)
    session.commit()
    assert order.status == "new"
    return order


def orders(session) -> int:
    return session.scalar(select(func.count()).select_from(WorkOrder))


def test_answer_on_the_call_keeps_the_cited_revision(session, world, create, article, clock):
    order = create(category="general_enquiry", answer="提前24小时通知", article_id=article.id)
    assert order.status == "closed" and order.article_revision_id is not None
    cited = order.article_revision_id
    update_article(session, article, world.supervisor,
                   ArticleText(**{**NOTICE.__dict__, "body_zh": NOTICE.body_zh + "超过12小时的提前48小时。"}),
                   expected_revision=1, now=clock.now())
    session.commit()
    session.expire_all()
    assert order.article_revision_id == cited  # the text the caller heard, not today's
    event = session.scalar(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id, WorkOrderEvent.action == "close_on_call"))
    assert event.payload["article_id"] == article.id and event.payload["article_revision"] == 1


def test_close_on_call_action_cites_an_article(session, world, act, article, clock, ctx):
    order = unrouted(session, world, clock, ctx)
    act(world.agent, order, "close_on_call", result="在计划停水范围内，已告知恢复时间",
        article_id=article.id)
    session.expire_all()
    assert order.status == "closed" and order.article_revision_id is not None


@pytest.mark.parametrize("kw, field", [
    (dict(category="leak", article_id=1), "article"),  # cited without an answer
    (dict(category="general_enquiry", answer="已答复", article_id=999999), "article"),
])
def test_bad_citations_are_refused(session, world, create, article, kw, field):
    if kw.get("article_id") == 1:
        kw["article_id"] = article.id
    with pytest.raises(ValidationFailed) as refused:
        create(**kw)
    assert field in refused.value.fields
    session.rollback()
    assert orders(session) == 0


def test_direct_answer_rate_credits_cited_closures(session, world, create, act, article,
                                                   clock, ctx):
    start = clock.now()
    create(category="general_enquiry", answer="已答复", article_id=article.id)
    create(category="enquiry")  # an enquiry that needed a department
    create(category="general_enquiry", answer="已答复")  # answered without an article
    outage_call = unrouted(session, world, clock, ctx)
    act(world.agent, outage_call, "close_on_call", result="计划停水，已告知",
        article_id=article.id)
    create(category="no_water")  # a real outage: not answerable on the call
    figures = stats.order_report(session, start, clock.now() + timedelta(minutes=1))
    assert (figures.enquiries, figures.enquiries_answered_on_call) == (3, 2)
    assert (figures.cited_on_call, figures.cited_outside_enquiries) == (2, 1)
    report = MonthlyReport(2026, 11, start, clock.now(), None, [], figures)
    assert report.direct_answer_rate == pytest.approx(3 / 4)  # (2 + 1) / (3 + 1)


def test_order_form_picks_an_article_and_the_order_shows_it(session, world, article,
                                                             login_as, client):
    login_as(world.agent)
    html = client.get("/workorders/new").get_data(as_text=True)
    assert f'value="{article.id} · 计划停水提前多久通知"' in html and "<datalist" in html
    data = {"csrf_token": csrf_token_from(html), "category": "general_enquiry",
            "contact_name": "王小明", "contact_phone": "+8613912345678", "area": "north",
            "street": "解放路", "house_number": "12号", "landmark": "邮局对面",
            "answer": "提前24小时通知", "article": "水价"}
    refused = client.post("/workorders/new", data=data)  # typed, not picked
    assert refused.status_code == 422 and orders(session) == 0
    assert "article" in refused.get_data(as_text=True).lower() or "文章" in refused.get_data(
        as_text=True)
    done = client.post("/workorders/new", data={**data,
                                                "article": f"{article.id} · 计划停水提前多久通知"})
    assert done.status_code == 302, done.get_data(as_text=True)
    order = session.scalar(select(WorkOrder))
    assert order.article_revision_id is not None
    page = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert f"/knowledge/{article.id}/revisions/1" in page


def test_api_create_cites_an_article(session, world, article, api):
    body = api.create(world.agent, category="general_enquiry", answer="已答复",
                      article=str(article.id))
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == body["number"]))
    assert order.article_revision_id is not None
    refused = api.post(world.agent, "/workorders", {
        "category": "general_enquiry", "answer": "已答复", "article": "abc",
        "contact_name": "李四", "contact_phone": "13912345678", "area": "north",
        "street": "人民路", "house_number": "8号", "landmark": "公园东门"})
    assert refused.status_code == 422 and "article" in refused.json["error"]["fields"]


def test_monthly_report_counts_cited_closures_and_article_updates(session, world, article,
                                                                  create, api, clock):
    update_article(session, article, world.supervisor, ArticleText(
        **{**NOTICE.__dict__, "title_en": "Planned outage notice"}), expected_revision=1,
        now=clock.now())
    session.commit()
    create(category="general_enquiry", answer="已答复", article_id=article.id)
    body = api.get(world.supervisor, "/reports/monthly?month=2026-11").json
    assert body["knowledge_updates"] == 1  # P1: articles kept current, updates counted
    assert body["orders"]["cited_on_call"] == 1
    assert body["orders"]["direct_answer_rate"] == 1.0
