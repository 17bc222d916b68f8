"""SLA console pages: dashboard, wallboard, follow-up list, clusters, policies, calendar
(the reports are in `sla.report_views`). Handlers parse, call one service, render."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth import roles
from hotline.auth.access import declare_method
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.models import Area, Department
from hotline.errors import Forbidden, NotFound, ValidationFailed
from hotline.extensions import db
from hotline.web.transactions import act, submit
from sla import calendar_admin, kpis, policy_admin, service_level
from sla.clusters import close_cluster, open_clusters
from sla.forms import CalendarDayForm, CloseClusterForm, ConfirmYearForm, PolicyForm
from sla.jobs import level_settings
from sla.models import Cluster, SlaPolicy
from sla.notices import describe
from sla.ports import ports
from sla.settings import current_context, display_calendar
from sla.watch import breached_open, warned_open

bp = Blueprint("sla", __name__, url_prefix="/sla", template_folder="templates")


def _names():
    locale = str(getattr(current_user, "locale", "zh_CN"))
    pick = (lambda r: r.name_en) if locale == "en" else (lambda r: r.name_zh)
    departments = {d.id: pick(d) for d in db.session.scalars(select(Department))}
    areas = {a.id: pick(a) for a in db.session.scalars(select(Area))}
    return departments, areas


def _local_today() -> date:
    return utcnow().astimezone(current_context(db.session).zone).date()


def _not_about_me(items):
    """R28: a supervisor never sees the clocks of a complaint about themselves."""
    return [i for i in items if i.info.recused_user_id != current_user.id]


def dashboard_context() -> dict:
    session = db.session
    now = utcnow()
    ctx = current_context(session)
    today = now.astimezone(ctx.zone).date()
    p = ports()
    start, end = kpis.day_bounds(today, ctx.zone)
    month_start, month_end = kpis.month_bounds(today.year, today.month, ctx.zone)
    departments, areas = _names()
    return {
        "now": now,
        "calendar_warning": calendar_admin.next_year_warning(session, ctx.calendar, today),
        "breaches": _not_about_me(breached_open(session, p, limit=50)),
        "warnings": _not_about_me(warned_open(session, p, limit=50)),
        "clusters": open_clusters(session),
        "today": kpis.report(session, p, start, end),
        "month": kpis.report(session, p, month_start, month_end),
        "settings": level_settings(current_app),
        "on_time_target": kpis.ON_TIME_TARGET,
        "departments": departments, "areas": areas,
    }


@bp.route("/")
@login_required
@require_role(*roles.SUPERVISION)
def dashboard():
    return render_template("sla/dashboard.html", **dashboard_context(),
                           close_form=CloseClusterForm())


@bp.route("/wallboard")
@login_required
@require_role(*roles.HOTLINE)
def wallboard():
    session = db.session
    now = utcnow()
    settings = level_settings(current_app)
    ctx = current_context(session)
    start, end = kpis.day_bounds(now.astimezone(ctx.zone).date(), ctx.zone)
    return render_template(
        "sla/wallboard.html", now=now, settings=settings,
        waiting=service_level.waiting_longer_than(session, ports().calls, now,
                                                  settings.threshold_seconds),
        today=service_level.summary(session, start, end),
        intervals=service_level.recent_intervals(session, now, 8),
        agents=ports().agent_board(session, now) if ports().agent_board else None,
        refresh=int(current_app.config["HOTLINE_WALLBOARD_REFRESH_SECONDS"]))


@bp.route("/clusters/<int:cluster_id>")
@login_required
@require_role(*roles.SUPERVISION)
def cluster(cluster_id: int):
    row = db.session.get(Cluster, cluster_id)
    if row is None:
        raise NotFound("no such cluster")
    _departments, areas = _names()
    members = describe(db.session, ports(), ((row.subject_type, m.subject_id)
                                             for m in row.members))
    return render_template("sla/cluster.html", cluster=row, areas=areas,
                           members=[(m, members[(row.subject_type, m.subject_id)])
                                    for m in row.members
                                    if members[(row.subject_type, m.subject_id)]
                                    .recused_user_id != current_user.id],  # R28
                           form=CloseClusterForm())


@bp.route("/clusters/<int:cluster_id>/close", methods=["POST"])
@login_required
@require_role(*roles.SUPERVISION)
def cluster_close(cluster_id: int):
    form = CloseClusterForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("Say how the cluster was handled."),
                               fields={k: v for k, v in form.errors.items()})
    return act(lambda: close_cluster(db.session, cluster_id, user_id=current_user.id,
                                     note=form.note.data, now=utcnow()),
               saved_message=_("Cluster closed."),
               next_url=lambda _cluster: url_for("sla.dashboard"))


@bp.route("/policies")
@login_required
@require_role(*roles.SUPERVISION)
def policies():
    return render_template("sla/policies.html", policies=policy_admin.list_policies(db.session))


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@login_required
@require_role("admin")
def policy_edit(policy_id: int):
    policy = db.session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound("no such policy")
    form = PolicyForm(obj=policy)
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda: policy_admin.update_policy(
            db.session, policy_id, limit_minutes=form.limit_minutes.data,
            limit_working_days=form.limit_working_days.data, warn_ratio=form.warn_ratio.data,
            active=form.active.data),
            saved_message=_("Policy saved. It applies to clocks started from now on."),
            next_url=lambda _policy: url_for("sla.policies"))
        if done:
            return done
    return render_template("sla/policy_edit.html", policy=policy, form=form), status


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
@require_role(*roles.SUPERVISION)
@declare_method("POST", "admin")
def calendar():
    try:
        year = int(request.args.get("year") or _local_today().year)
    except ValueError:
        raise ValidationFailed(_("The year must be a number."), fields={"year": "number"})
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("The year is out of range."), fields={"year": "2000–2100"})
    form = CalendarDayForm(prefix="day")
    confirm = ConfirmYearForm(prefix="confirm", year=year)
    if request.method == "POST":
        if current_user.role != roles.ADMIN:
            raise Forbidden(_("Only administrators change the calendar."))

        def save():
            action = request.form.get("action")
            if action == "add" and form.validate_on_submit():
                return calendar_admin.set_override(db.session, form.day.data, form.kind.data,
                                                   form.note.data, now=utcnow())
            if action == "remove" and request.form.get("day"):
                return calendar_admin.remove_override(
                    db.session, calendar_admin.parse_day(request.form["day"]))
            if action == "confirm" and confirm.validate_on_submit():
                return calendar_admin.confirm_year(db.session, confirm.year.data,
                                                   user_id=current_user.id,
                                                   note=confirm.note.data, now=utcnow())
            raise ValidationFailed(_("Check the form."))

        return act(save, saved_message=_("Calendar saved."),
                   next_url=lambda _day: url_for("sla.calendar", year=year),
                   refused=lambda err: _calendar_page(year, form, confirm, err.status))
    return _calendar_page(year, form, confirm, 200)


def _calendar_page(year: int, form: CalendarDayForm, confirm: ConfirmYearForm, status: int):
    cal = display_calendar(db.session, "en" if str(current_user.locale) == "en" else "zh_CN")
    return render_template(
        "sla/calendar.html", year=year, entries=cal.entries(year),
        notes=calendar_admin.notes_of(db.session, year),
        status_=calendar_admin.year_status(db.session, cal, year), form=form,
        confirm=confirm, can_edit=current_user.role == roles.ADMIN), status
