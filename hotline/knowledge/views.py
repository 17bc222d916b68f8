"""Console pages of the knowledge base (P1): everyone logged in reads and searches;
supervisors write articles, each save a revision that stays readable."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth import roles
from hotline.auth.models import User
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.errors import DomainError
from hotline.extensions import db
from hotline.knowledge import services
from hotline.knowledge.forms import ArticleForm
from hotline.knowledge.labels import FIELD
from hotline.knowledge.models import ARTICLE_CATEGORIES, ARTICLE_FIELDS
from hotline.web.transactions import submit

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge")


def _people(ids) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("")
@login_required
@require_role(*roles.EVERYONE)
def index():
    q = request.args.get("q", "")
    category = request.args.get("category", "")
    category = category if category in ARTICLE_CATEGORIES else ""
    after = request.args.get("after", type=int)
    status, error, rows, cursor, groups = 200, None, [], None, {}
    try:
        q = services.check_query(q)
        if q or category:
            rows, cursor = services.article_page(db.session, q=q, category=category or None,
                                                 after=after)
        else:
            groups = services.by_category(db.session)
    except DomainError as err:
        status, error = err.status, err.message
    return render_template(
        "knowledge/index.html", q=q, category=category, rows=rows, cursor=cursor,
        first_page=after is None, groups=groups, error=error,
        counts=services.category_counts(db.session), categories=ARTICLE_CATEGORIES,
        can_edit=services.can_edit(current_user), loc=str(get_locale())), status


@bp.route("/<int:article_id>")
@login_required
@require_role(*roles.EVERYONE)
def detail(article_id: int):
    article = services.get_article(db.session, article_id)
    revisions = services.history(db.session, article)
    return render_template("knowledge/detail.html", article=article, revisions=revisions,
                           people=_people(r.editor_id for r in revisions), fields=FIELD,
                           can_edit=services.can_edit(current_user), loc=str(get_locale()))


@bp.route("/<int:article_id>/revisions/<int:number>")
@login_required
@require_role(*roles.EVERYONE)
def revision(article_id: int, number: int):
    article = services.get_article(db.session, article_id)
    shown = services.get_revision(db.session, article_id, number)
    before = services.previous_of(db.session, shown)
    changes = [(FIELD[name], services.line_changes(getattr(before, name) if before else "",
                                                   getattr(shown, name)))
               for name in ARTICLE_FIELDS if name in (shown.changed or []) and name != "category"]
    return render_template("knowledge/revision.html", article=article, shown=shown,
                           before=before, changes=changes,
                           people=_people([shown.editor_id]), loc=str(get_locale()))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*roles.SUPERVISION)
def create():
    form = ArticleForm()
    if request.method == "GET":
        form.category.data = request.args.get("category", "")
        return render_template("knowledge/form.html", form=form, article=None)
    done, status = submit(
        form, lambda: services.create_article(db.session, current_user, _text(form),
                                              note=form.note.data or "", now=utcnow()),
        saved_message=_("Article saved."),
        next_url=lambda article: url_for("knowledge.detail", article_id=article.id))
    return done or (render_template("knowledge/form.html", form=form, article=None), status)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(*roles.SUPERVISION)
def edit(article_id: int):
    article = services.get_article(db.session, article_id)
    form = ArticleForm(obj=None if request.method == "POST" else article)
    if request.method == "GET":
        form.revision.data = str(article.revision)
        form.note.data = ""
        return render_template("knowledge/form.html", form=form, article=article)
    expected = int(form.revision.data) if (form.revision.data or "").isdigit() else None
    done, status = submit(
        form, lambda: services.update_article(db.session, article, current_user, _text(form),
                                              expected_revision=expected,
                                              note=form.note.data or "", now=utcnow()),
        saved_message=lambda saved: _("Article saved as revision %(n)s.", n=saved.revision),
        next_url=lambda saved: url_for("knowledge.detail", article_id=saved.id))
    return done or (render_template("knowledge/form.html", form=form, article=article), status)


def _text(form: ArticleForm) -> services.ArticleText:
    return services.ArticleText(category=form.category.data or "",
                                title_zh=form.title_zh.data or "",
                                title_en=form.title_en.data or "",
                                body_zh=form.body_zh.data or "",
                                body_en=form.body_en.data or "")

