"""The knowledge base in a real browser (Debian's chromium through Playwright), in both
languages: the grouped start page, an article with its history, an earlier revision, a
supervisor's edit through the form, and an agent closing an order on the call with an
article picked on the order form. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.knowledge import demo
from hotline.knowledge.models import Article
from tests.factories import make_area, make_user
from tests.ivr.test_browser import browser, live_server  # noqa: F401 (fixtures)
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only, pytest.mark.commits]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password123")
    page.click("form button.primary")
    page.wait_for_url(f"{base}/")


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"knowledge-{name}.png"), full_page=True)


def test_supervisor_edits_and_agent_cites_in_both_languages(app, session, clock, live_server,
                                                           browser):
    boss = make_user(session, "supervisor", username="kb-boss")
    agent = make_user(session, "agent", username="kb-agent")
    make_area(session, code="CD", name_zh="城东区", name_en="Chengdong")
    session.commit()
    demo.load_articles(session, clock.now())
    session.commit()
    revised = session.scalar(select(Article).where(Article.revision == 2))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    # CSP violations and script errors; the 422 of the bad-input step is expected.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    _login(page, live_server, boss.username)

    page.goto(f"{live_server}/knowledge")
    assert "知识库" in page.inner_text("h1")
    for heading in ("水价水费", "业务办理", "停水答疑", "水质咨询"):
        assert heading in page.inner_text("main")
    _shot(page, "index-zh")
    page.fill("input[name=q]", "发黄")
    page.click("form.toolbar button")
    assert "自来水发黄、浑浊怎么办" in page.inner_text("table")
    page.goto(f"{live_server}/knowledge/{revised.id}/revisions/2")
    assert "补充：停水信息由工程部门通报热线" in page.inner_text("main")
    _shot(page, "revision-zh")

    page.goto(f"{live_server}/knowledge/{revised.id}/edit")
    page.fill("textarea[name=body_zh]", "")
    page.click("form button.primary")  # bad input: a form message, nothing saved
    assert "请更正标出的内容" in page.inner_text("main")
    _shot(page, "form-error-zh")
    page.goto(f"{live_server}/knowledge/{revised.id}/edit")
    page.fill("input[name=title_en]", "Notice of planned outages")
    page.fill("input[name=note]", "英文标题更简洁")
    page.click("form button.primary")
    page.wait_for_url(f"{live_server}/knowledge/{revised.id}")
    assert "第 3 版" in page.inner_text("main") and "英文标题更简洁" in page.inner_text("main")
    latest = page.inner_text("table tbody tr:first-child")  # the body was not touched
    assert "标题（英文）" in latest and "正文" not in latest, latest
    _shot(page, "detail-zh")

    boss.locale = "en"
    session.commit()
    page.goto(f"{live_server}/knowledge")
    assert "Water prices" in page.inner_text("main") and "水价" not in page.inner_text("main")
    _shot(page, "index-en")
    page.goto(f"{live_server}/knowledge/{revised.id}")
    assert "Notice of planned outages" in page.inner_text("h1")
    _shot(page, "detail-en")

    agent_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    agent_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(agent_page, live_server, agent.username)
    agent_page.goto(f"{live_server}/workorders/new")
    agent_page.select_option("select[name=category]", "general_enquiry")
    for name, value in (("contact_name", "王建国"), ("contact_phone", "13800138000"),
                        ("street", "解放东路"), ("house_number", "812号"),
                        ("landmark", "邮局对面")):
        agent_page.fill(f"input[name={name}]", value)
    agent_page.select_option("select[name=area]", "CD")
    agent_page.fill("textarea[name=answer]", "计划停水12小时以内的提前24小时通知，已告知来电人。")
    picked = agent_page.eval_on_selector(
        "#kb-articles", "(list) => Array.from(list.options).map(o => o.value)"
        ".find(v => v.includes('计划停水'))")
    agent_page.fill("input[name=article]", picked)
    _shot(agent_page, "order-form-picker-zh")
    agent_page.click("form button.primary")
    agent_page.wait_for_url(f"{live_server}/workorders/WO-*")
    assert "答复依据" in agent_page.inner_text("main")
    _shot(agent_page, "order-cited-zh")
    order = session.scalar(select(WorkOrder))
    assert order.status == "closed" and order.article_revision_id is not None
    assert not errors, errors
