"""The knowledge base (P1): supervisors write articles, every save a revision (who, when,
what changed) that stays readable; everyone logged in reads and searches (the same on SQLite
and PostgreSQL, keyset pages); bad input is refused with a clear message and changes
nothing; the demo articles load once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.errors import Conflict, Forbidden, ValidationFailed
from hotline.knowledge import demo
from hotline.knowledge.models import ARTICLE_CATEGORIES, Article, ArticleRevision
from hotline.knowledge.services import (ArticleText, article_page, create_article,
                                        get_revision, line_changes, update_article,
                                        updates_between)
from tests.conftest import csrf_token_from
from tests.factories import make_department, make_user

PRICES = ArticleText(category="prices", title_zh="水费怎样计算",
                     title_en="How the water bill is worked out",
                     body_zh="水费按水表计量的用水量计算，实行阶梯水价。",
                     body_en="The bill follows the metered use; households pay tiered prices.")


@pytest.fixture
def people(session):
    staff_department = make_department(session, "maintenance", None, code="mnt")
    found = {"supervisor": make_user(session, "supervisor", username="kb-boss"),
             "admin": make_user(session, "admin", username="kb-admin"),
             "agent": make_user(session, "agent", username="kb-agent"),
             "staff": make_user(session, "staff", staff_department, username="kb-crew")}
    session.commit()
    return found


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def text(**changes) -> ArticleText:
    return ArticleText(**{**PRICES.__dict__, **changes})


# --- services ---------------------------------------------------------------------------

def test_p1_every_save_is_a_revision_with_who_when_and_what(session, people, clock):
    boss = people["supervisor"]
    article = create_article(session, boss, PRICES, note="依据收费公示", now=clock.now())
    clock.advance(days=2)
    update_article(session, article, boss, text(body_zh="水费按用水量计算；逾期收取滞纳金。"),
                   expected_revision=1, note="补充逾期缴费", now=clock.now())
    session.commit()
    assert article.revision == 2 and article.updated_at == clock.now()
    first, second = (get_revision(session, article.id, n) for n in (1, 2))
    assert first.body_zh == PRICES.body_zh  # the old text stays readable
    assert (second.editor_id, second.saved_at, second.changed, second.note) == (
        boss.id, clock.now(), ["body_zh"], "补充逾期缴费")
    assert first.changed == ["category", "title_zh", "title_en", "body_zh", "body_en"]
    # P1: updates are counted (the first save is a new article, not an update).
    assert updates_between(session, clock.now() - timedelta(days=3),
                           clock.now() + timedelta(seconds=1)) == 1


def test_a_revision_shows_the_lines_it_changed():
    assert line_changes("计划停水提前24小时\n小范围停水短信告知", "计划停水提前24小时\n"
                        "小范围停水电话或短信告知\n由工程部门通报热线") == [
        ("same", "计划停水提前24小时"), ("removed", "小范围停水短信告知"),
        ("added", "小范围停水电话或短信告知"), ("added", "由工程部门通报热线")]
    assert line_changes("", "新文章") == [("removed", ""), ("added", "新文章")]


def test_only_supervisors_write(session, people, clock):
    for role in ("agent", "staff"):
        with pytest.raises(Forbidden):
            create_article(session, people[role], PRICES, now=clock.now())
    article = create_article(session, people["admin"], PRICES, now=clock.now())
    with pytest.raises(Forbidden):
        update_article(session, article, people["agent"], text(title_zh="改"),
                       expected_revision=1, now=clock.now())
    assert article.revision == 1 and count(session, ArticleRevision) == 1


def test_stale_or_empty_edits_are_refused(session, people, clock):
    boss = people["supervisor"]
    article = create_article(session, boss, PRICES, now=clock.now())
    update_article(session, article, boss, text(title_en="Water bills"), expected_revision=1,
                   now=clock.now())
    with pytest.raises(Conflict) as stale:  # opened at revision 1, saved since
        update_article(session, article, boss, text(title_zh="另一个标题"),
                       expected_revision=1, now=clock.now())
    assert "2" in stale.value.message
    with pytest.raises(ValidationFailed, match="Nothing changed"):
        update_article(session, article, boss, text(title_en="Water bills"),
                       expected_revision=2, now=clock.now())
    update_article(session, article, boss, text(title_en="Water bills", body_zh="一行\n二行"),
                   expected_revision=2, now=clock.now())
    with pytest.raises(ValidationFailed, match="Nothing changed"):  # a browser's CRLF
        update_article(session, article, boss, text(title_en="Water bills",
                                                    body_zh="一行\r\n二行"),
                       expected_revision=3, now=clock.now())
    assert article.revision == 3 and count(session, ArticleRevision) == 3


@pytest.mark.parametrize("bad, field", [
    (dict(category="rumours"), "category"), (dict(title_zh="  "), "title_zh"),
    (dict(body_zh=""), "body_zh"), (dict(title_en="x" * 201), "title_en"),
])
def test_bad_input_names_the_field_and_saves_nothing(session, people, clock, bad, field):
    with pytest.raises(ValidationFailed) as refused:
        create_article(session, people["supervisor"], text(**bad), now=clock.now())
    assert field in refused.value.fields
    assert count(session, Article) == 0 and count(session, ArticleRevision) == 0


def test_search_finds_words_in_either_language_and_escapes_wildcards(session, people, clock):
    boss = people["supervisor"]
    prices = create_article(session, boss, PRICES, now=clock.now())
    yellow = create_article(session, boss, ArticleText(
        category="water_quality", title_zh="自来水发黄怎么办", body_zh="放水几分钟；仍发黄的4小时内到场采样。",
        title_en="Yellow water", body_en="Run the tap; 100% of complaints are sampled."),
        now=clock.now())
    session.commit()

    def found(q, **kw):
        return [a.id for a in article_page(session, q=q, **kw)[0]]

    assert found("阶梯") == [prices.id]
    assert found("YELLOW") == [yellow.id]  # case does not matter
    assert found("发黄 采样") == [yellow.id]  # every word, anywhere in the article
    assert found("发黄 阶梯") == []
    assert found("100%") == [yellow.id] and found("%") == [yellow.id]  # % is a character
    assert found("_") == []
    assert found("", category="prices") == [prices.id]
    with pytest.raises(ValidationFailed):
        article_page(session, q="水" * 101)


def test_keyset_pages_cover_every_article_once(session, people, clock):
    boss = people["supervisor"]
    made = []
    for i in range(7):
        clock.advance(minutes=1 if i != 3 else 0)  # two articles saved in the same instant
        made.append(create_article(session, boss, text(title_zh=f"停水问答{i}",
                                                       category="outages"),
                                   now=clock.now()).id)
    session.commit()
    seen, after = [], None
    while True:
        rows, after = article_page(session, q="停水问答", per_page=3, after=after)
        seen += [a.id for a in rows]
        if after is None:
            break
    assert len(seen) == 7 and sorted(seen) == sorted(made)
    assert seen[0] == made[-1]  # the most recently updated first


def test_demo_articles_are_real_and_load_once(session, people, clock):
    demo.load_articles(session, clock.now())
    session.commit()
    articles = list(session.scalars(select(Article)))
    assert len(articles) == len(demo.ARTICLES) >= 10
    assert {a.category for a in articles} == set(ARTICLE_CATEGORIES)
    assert all(a.title_en and len(a.body_zh) > 80 and a.body_en for a in articles)
    outage = next(a for a in articles if a.title_zh == "计划停水提前多久通知")
    assert "提前24小时" in outage.body_zh and "48小时" in outage.body_zh and outage.revision == 2
    demo.load_articles(session, clock.now())  # `demo load` runs on every `make run`
    session.commit()
    assert count(session, Article) == len(articles)
    assert count(session, ArticleRevision) == len(articles) + 1


# --- console ----------------------------------------------------------------------------

def _form(client, url) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return csrf_token_from(page.get_data(as_text=True))


def _fields(token, **changes) -> dict:
    return {"csrf_token": token, "category": "prices", "title_zh": PRICES.title_zh,
            "title_en": PRICES.title_en, "body_zh": PRICES.body_zh, "body_en": PRICES.body_en,
            "note": "", **changes}


@pytest.mark.parametrize("role", ["agent", "staff"])
def test_everyone_reads_and_only_supervision_edits(session, people, clock, login_as, role):
    article = create_article(session, people["supervisor"], PRICES, now=clock.now())
    session.commit()
    client = login_as(people[role])
    for url in ("/knowledge", f"/knowledge/{article.id}",
                f"/knowledge/{article.id}/revisions/1", "/knowledge?q=阶梯",
                "/knowledge?category=prices"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "水费怎样计算" in client.get("/knowledge?q=阶梯").get_data(as_text=True)
    token = csrf_token_from(client.get("/knowledge").get_data(as_text=True))
    assert client.get("/knowledge/new").status_code == 403
    assert client.post("/knowledge/new", data=_fields(token)).status_code == 403
    assert client.get(f"/knowledge/{article.id}/edit").status_code == 403
    assert client.post(f"/knowledge/{article.id}/edit",
                       data=_fields(token, title_zh="改", revision="1")).status_code == 403
    assert count(session, Article) == 1 and article.revision == 1
    assert "/knowledge/new" not in client.get("/knowledge").get_data(as_text=True)


def test_supervisor_writes_edits_and_reads_the_history(session, people, login_as):
    client = login_as(people["supervisor"])
    created = client.post("/knowledge/new", data=_fields(_form(client, "/knowledge/new")))
    assert created.status_code == 302
    article = session.scalar(select(Article))
    url = f"/knowledge/{article.id}"
    edited = client.post(f"{url}/edit", data=_fields(
        _form(client, f"{url}/edit"), revision="1", body_zh="按用水量计算，逾期收取滞纳金。",
        note="补充逾期"))
    assert edited.status_code == 302 and edited.location.endswith(url)
    session.expire_all()
    assert article.revision == 2 and article.body_zh == "按用水量计算，逾期收取滞纳金。"
    page = client.get(url).get_data(as_text=True)
    assert "补充逾期" in page and f"{url}/revisions/1" in page
    old = client.get(f"{url}/revisions/2").get_data(as_text=True)
    assert PRICES.body_zh in old and "逾期收取滞纳金" in old  # before and after
    assert "逾期收取滞纳金" not in client.get(f"{url}/revisions/1").get_data(as_text=True)
    assert client.get(f"{url}/revisions/3").status_code == 404


def test_console_bad_input_shows_a_form_message_and_saves_nothing(session, people, login_as):
    client = login_as(people["supervisor"])
    token = _form(client, "/knowledge/new")
    missing = client.post("/knowledge/new", data=_fields(token, title_zh="", category=""))
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert "Please correct the marked fields" in html or "请更正标出的内容" in html
    assert client.post("/knowledge/new", data=_fields("forged")).status_code == 400  # CSRF
    assert client.get("/knowledge?q=" + "x" * 101).status_code == 422
    assert count(session, Article) == 0
    create_article(session, people["supervisor"], PRICES, now=people["supervisor"].created_at)
    session.commit()
    article = session.scalar(select(Article))
    stale = client.post(f"/knowledge/{article.id}/edit", data=_fields(
        _form(client, f"/knowledge/{article.id}/edit"), revision="0", title_zh="新标题"))
    assert stale.status_code == 409
    unchanged = client.post(f"/knowledge/{article.id}/edit", data=_fields(
        _form(client, f"/knowledge/{article.id}/edit"), revision="1"))
    assert unchanged.status_code == 422
    session.expire_all()
    assert article.revision == 1 and article.title_zh == PRICES.title_zh
