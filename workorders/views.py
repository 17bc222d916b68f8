"""Console pages: create from a call, lists (mine, my department's queue, all), detail with
timeline and the actions this user may do, follow-ups, category and routing-rule admin."""

from __future__ import annotations

from flask import (Blueprint, Response, current_app, flash, render_template, request,
                   stream_with_context, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth import roles
from hotline.auth.models import User
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.models import Area, Department
from hotline.directory.services import accounts_by_phone, list_areas, list_departments
from hotline.errors import NotFound
from hotline.exports import csv_line
from hotline.extensions import db
from hotline.knowledge.services import picker_articles
from hotline.registry import registry
from hotline.web.transactions import submit
from sla.settings import current_context
from workorders import labels, links
from workorders.console_actions import run_action
from workorders.forms import CategoryForm, CreateOrderForm, RoutingRuleForm
from workorders.models import Category, RoutingRule
from workorders.rules.states import STATUSES
from workorders.services import admin, inputs, queries
from workorders.services.citations import cited_revision
from workorders.services.common import actor_of, visible_order
from workorders.services.create import open_work_order
from workorders.services.photos import photos_of
from workorders.services.present import event_view, order_view, order_views

bp = Blueprint("workorders", __name__, url_prefix="/workorders", template_folder="templates")


@bp.app_context_processor
def _labels():
    return {"wo_labels": labels, "wo_label": labels.label, "wo_category": _category_name}


def _category_name(code: str) -> str:
    """A category's name in the viewer's language (admin-edited names, read once a request)."""
    names = getattr(request, "wo_category_names", None)
    if names is None:
        names = {c.code: c.name(_locale()) for c in admin.categories(db.session)}
        request.wo_category_names = names
    return names.get(code, code)


def _locale() -> str:
    return str(get_locale() or "zh_CN")


# --- creating ---------------------------------------------------------------------------

def _create_form() -> CreateOrderForm:
    form = CreateOrderForm()
    loc = _locale()
    form.category.choices = [(c.code, c.name(loc)) for c in admin.categories(
        db.session, active_only=True)]
    form.area.choices = [("", "—")] + [(a.code, a.name(loc)) for a in list_areas(db.session)]
    form.department.choices = [("", "—")] + [(d.code, d.name(loc))
                                            for d in list_departments(db.session)]
    form.subject_department.choices = form.department.choices
    staff = db.session.scalars(select(User).where(User.role == "staff").order_by(
        User.username))
    form.subject_user.choices = [("", "—")] + [(u.username, u.label) for u in staff]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*roles.HOTLINE)
def create():
    form = _create_form()
    caller = request.args.get("from", "")
    accounts = accounts_by_phone(db.session, caller or form.contact_phone.data or "")
    if request.method == "GET":
        form.contact_phone.data = caller
        form.call_sid.data = request.args.get("call_sid", "")
        if len(accounts) == 1:  # R30: the household file fills in the caller's address
            account = accounts[0]
            form.account_number.data = account.account_number
            form.contact_name.data = account.name
            form.area.data = account.area.code
            form.street.data, form.house_number.data = account.street, account.house_number
            form.landmark.data = account.landmark
    status = 200
    if request.method == "POST":
        def save():
            data = {name: getattr(form, name).data for name in _CREATE_FIELDS}
            return open_work_order(
                db.session, inputs.new_order_from(db.session, data), actor=current_user,
                channel="phone", now=utcnow(), ctx=current_context(db.session),
                repeat_days=current_app.config["HOTLINE_REPEAT_COMPLAINT_DAYS"])

        done, status = submit(
            form, save, renamed=_FORM_FIELD,
            saved_message=lambda order: _("Work order %(number)s created.",
                                          number=order.number),
            next_url=lambda order: url_for("workorders.detail", number=order.number))
        if done:
            return done
    area_id = None
    if form.area.data:
        area_id = db.session.scalar(select(Area.id).where(Area.code == form.area.data))
    dupes = queries.duplicates(
        db.session, category=form.category.data, area_id=area_id,
        account_id=accounts[0].id if len(accounts) == 1 else None,
        phone=form.contact_phone.data or caller, now=utcnow(), viewer=current_user)
    history = {a.id: queries.orders_of_account(db.session, a.id, viewer=current_user)
               for a in accounts}
    return render_template("workorders/create.html", form=form, accounts=accounts,
                           history=history, duplicates=dupes,
                           articles=picker_articles(db.session)), status


_CREATE_FIELDS = ("category", "description", "contact_name", "contact_phone", "account_number",
                  "area", "street", "house_number", "landmark", "work_street",
                  "work_house_number", "work_landmark", "call_sid", "confidential",
                  "subject_user", "subject_department", "department", "answer",
                  "article", "master_number", "small_repair")
_FORM_FIELD = {"area_id": "area", "account_id": "account_number", "department_id": "department",
               "subject_user_id": "subject_user", "subject_department_id": "subject_department",
               "article_id": "article"}


# --- lists ------------------------------------------------------------------------------

def _default_view(user) -> str:
    return {"agent": "mine", "staff": "queue"}.get(user.role, "all")


def _list_query(args):
    view = args.get("view") or _default_view(current_user)
    if view not in ("mine", "queue", "all", "overseen"):
        raise NotFound(_("No such list."))
    filters = queries.Filters(
        status=args.get("status") or None, department=args.get("department") or None,
        area=args.get("area") or None, category=args.get("category") or None,
        overdue=True if args.get("overdue") == "1" else None,
        phone=args.get("phone") or None, account=args.get("account") or None,
        text=args.get("text") or None, repeated=True if args.get("repeated") == "1" else None)
    for name, moment in links.date_filters(args).items():
        setattr(filters, name, moment)
    order = "newest"
    if view == "mine":
        filters.owner, filters.open_only, order = current_user.username, True, "due"
    elif view == "queue":
        filters.open_only, order = not filters.status, "due"
    elif view == "overseen":  # R10: complaints about other units this centre oversees
        filters.overseen = True
    return view, filters, order


@bp.route("/")
@login_required
@require_role(*roles.EVERYONE)
def index():
    args = request.args
    view, filters, order = _list_query(args)
    page = max(args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.search(db.session, current_user, filters, now=utcnow(), page=page,
                                 order=order)
    actor = actor_of(db.session, current_user)
    return render_template(
        "workorders/list.html", view=view,
        orders=order_views(db.session, rows, current_user, actor),
        total=total, page=page, per_page=25, statuses=STATUSES,
        categories=admin.categories(db.session), areas=list_areas(db.session),
        departments=list_departments(db.session), args=args)


EXPORT_LIMIT = 10000
EXPORT_CHUNK = 500
EXPORT_COLUMNS = ("number", "status", "category", "priority", "channel", "contact_name",
                  "contact_phone", "account_number", "area", "street", "house_number",
                  "landmark", "work_street", "work_house_number", "work_landmark",
                  "description", "department", "overseer", "repeat_of", "owner", "assignee",
                  "opened_at", "resolved_at", "closed_at", "next_due_at", "reopen_count",
                  "satisfaction")


@bp.route("/export.csv")
@login_required
@require_role(*roles.EVERYONE)
def export():
    """The current list as CSV (at most EXPORT_LIMIT rows), streamed EXPORT_CHUNK rows at a
    time so a worker never holds the whole file; the complainant stays hidden where R27
    says so."""
    view, filters, order = _list_query(request.args)
    user = current_user._get_current_object()
    now = utcnow()
    actor = actor_of(db.session, user)

    def lines():
        yield "\ufeff" + csv_line(EXPORT_COLUMNS)
        for page in range(1, EXPORT_LIMIT // EXPORT_CHUNK + 1):
            rows, _total = queries.search(db.session, user, filters, now=now, page=page,
                                          per_page=EXPORT_CHUNK, order=order, count=False)
            # Formula-looking cells are defused (hotline.exports): descriptions come from
            # callers.
            yield "".join(csv_line([data.get(name) for name in EXPORT_COLUMNS])
                          for data in order_views(db.session, rows, user, actor))
            if len(rows) < EXPORT_CHUNK:
                break

    return Response(stream_with_context(lines()), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=workorders-{view}.csv"})


@bp.route("/follow-ups")
@login_required
@require_role(*roles.HOTLINE)
def follow_ups():
    after = request.args.get("after", type=int)
    rows, cursor = queries.follow_up_page(db.session, current_user, after=after)
    actor = actor_of(db.session, current_user)
    # The follow-up clock is not one of the caller's clocks `order_view` shows: a resolved
    # order's cached earliest running deadline is its follow-up call's.
    orders = [dict(view, follow_up_due=o.next_due_at)
              for o, view in zip(rows, order_views(db.session, rows, current_user, actor))]
    return render_template("workorders/follow_ups.html", orders=orders, cursor=cursor,
                           first_page=after is None,
                           total=queries.follow_up_count(db.session, current_user))


# --- one order --------------------------------------------------------------------------

def _detail(number: str, status: int = 200):
    order = visible_order(db.session, current_user, number)
    view = order_view(db.session, order, current_user)
    return render_template(
        "workorders/detail.html", order=view,
        events=[event_view(e) for e in queries.events_of(db.session, order)],
        departments=list_departments(db.session), areas=list_areas(db.session),
        category=order.category, photos=photos_of(db.session, order.id),
        cited=cited_revision(db.session, order),
        articles=picker_articles(db.session) if "close_on_call" in view["actions"] else [],
        sections=registry().sections_of_order(order, current_user)), status


@bp.route("/<number>")
@login_required
@require_role(*roles.EVERYONE)
def detail(number: str):
    return _detail(number)


@bp.route("/<number>/act", methods=["POST"])
@login_required
@require_role(*roles.EVERYONE)
def act(number: str):
    return run_action(number, next_url=lambda: url_for("workorders.detail", number=number),
                      page=lambda status: _detail(number, status))


# --- admin ------------------------------------------------------------------------------

@bp.route("/admin/categories", methods=["GET"])
@login_required
@require_role("admin")
def categories():
    return render_template("workorders/categories.html",
                           categories=admin.categories(db.session))


@bp.route("/admin/categories/<code>", methods=["GET", "POST"])
@login_required
@require_role("admin")
def edit_category(code: str):
    category = db.session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFound(_("No category %(code)s.", code=code))
    form = CategoryForm(obj=category)
    if request.method == "GET":
        form.department_kind.data = category.department_kind or ""
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda: admin.update_category(
            db.session, code, name_zh=form.name_zh.data, name_en=form.name_en.data,
            department_kind=form.department_kind.data or None, priority=form.priority.data,
            position=form.position.data, active=form.active.data),
            saved_message=_("Category saved."),
            next_url=lambda _category: url_for("workorders.categories"))
        if done:
            return done
    return render_template("workorders/category_form.html", form=form,
                           category=category), status


def _rule_form(rule: RoutingRule | None = None) -> RoutingRuleForm:
    form = RoutingRuleForm(obj=rule)
    loc = _locale()
    form.category_code.choices = [(c.code, c.name(loc)) for c in admin.categories(db.session)]
    form.area.choices = [("", "—")] + [(str(a.id), a.name(loc)) for a in list_areas(db.session)]
    form.department.choices = [("", "—")] + [(str(d.id), d.name(loc))
                                            for d in list_departments(db.session)]
    if rule is not None and request.method == "GET":
        form.area.data = str(rule.area_id or "")
        form.department.data = str(rule.department_id or "")
    return form


@bp.route("/admin/routing", methods=["GET", "POST"])
@login_required
@require_role("admin")
def routing_rules():
    return _save_rule(None)


@bp.route("/admin/routing/<int:rule_id>", methods=["GET", "POST"])
@login_required
@require_role("admin")
def edit_rule(rule_id: int):
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(_("No routing rule %(id)s.", id=rule_id))
    return _save_rule(rule)


def _save_rule(rule: RoutingRule | None):
    form = _rule_form(rule)
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda: admin.save_rule(
            db.session, rule.id if rule else None, category_code=form.category_code.data,
            area_id=int(form.area.data) if form.area.data else None,
            department_kind=form.department_kind.data,
            department_id=int(form.department.data) if form.department.data else None,
            position=form.position.data, rule_ref=form.rule_ref.data or "",
            active=form.active.data),
            saved_message=_("Routing rule saved."),
            next_url=lambda _rule: url_for("workorders.routing_rules"))
        if done:
            return done
    loc = _locale()
    return render_template(
        "workorders/routing.html", form=form, rule=rule, rules=admin.rules(db.session),
        category_names={c.code: c.name(loc) for c in admin.categories(db.session)},
        area_names={a.id: a.name(loc) for a in db.session.scalars(select(Area))},
        department_names={d.id: d.name(loc) for d in db.session.scalars(select(Department))},
    ), status
