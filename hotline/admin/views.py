"""Console administration (admins only): users, departments, areas."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.admin import services
from hotline.admin.forms import AreaForm, DepartmentForm, UserForm
from hotline.auth.models import User
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.models import Area, Department
from hotline.directory.services import list_areas, list_departments
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.web.forms import choices
from hotline.web.transactions import submit

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
@require_role("admin")
def _admins_only():
    return None


def _get(model, ident: int):
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(_("Not found."))
    return row


# Users ---------------------------------------------------------------------------------

def _user_choices(form: UserForm, user: User | None) -> None:
    locale = str(get_locale())
    form.department_id.choices = choices([(0, "—")] + [
        (d.id, f"{d.name(locale)} ({d.code})") for d in list_departments(db.session)])
    others = db.session.scalars(select(User).where(User.active.is_(True)).order_by(
        User.username))
    form.backup_user_id.choices = choices([(0, "—")] + [
        (u.id, f"{u.label} ({u.username})") for u in others if user is None or u.id != user.id])


@bp.route("/users")
def users():
    rows = list(db.session.scalars(select(User).order_by(User.role, User.username)))
    return render_template("admin/users.html", rows=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    _user_choices(form, None)
    status = 200
    if request.method == "POST":
        def save():
            user = services.add_user(
                db.session, username=form.username.data, role=form.role.data,
                password=form.password.data or "", now=utcnow(),
                department_id=form.department_id.data or None,
                display_name=form.display_name.data or "", locale=form.locale.data,
                phone=form.phone.data or "")
            user.backup_user_id = form.backup_user_id.data or None
            db.session.flush()
            return user

        done, status = submit(form, save, saved_message=_("User %(name)s created.",
                                                          name=form.username.data),
                              next_url=lambda _user: url_for("admin.users"),
                              renamed={"department": "department_id"})
        if done:
            return done
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _get(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    form.username.data = user.username
    _user_choices(form, user)
    if request.method == "GET":
        form.department_id.data = user.department_id or 0
        form.backup_user_id.data = user.backup_user_id or 0
        form.password.data = ""
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda: services.update_user(
            db.session, user, current_user, role=form.role.data,
            department_id=form.department_id.data or None,
            backup_user_id=form.backup_user_id.data or None,
            absent=form.absent.data, active=form.active.data,
            locale=form.locale.data, display_name=form.display_name.data or "",
            phone=form.phone.data or "", new_password=form.password.data or ""),
            saved_message=_("User %(name)s saved.", name=user.username),
            next_url=lambda _r: url_for("admin.users"), renamed={"new_password": "password"})
        if done:
            return done
    return render_template("admin/user_form.html", form=form, user=user), status


# Departments ---------------------------------------------------------------------------

def _department_choices(form: DepartmentForm) -> None:
    locale = str(get_locale())
    form.area_id.choices = choices([(0, _("City-wide"))] + [
        (a.id, f"{a.name(locale)} ({a.code})") for a in list_areas(db.session)])


@bp.route("/departments")
def departments():
    staff = {}
    for user in db.session.scalars(select(User).where(User.department_id.is_not(None),
                                                      User.active.is_(True))):
        staff.setdefault(user.department_id, []).append(user)
    return render_template("admin/departments.html", rows=list_departments(db.session),
                           staff=staff)


@bp.route("/departments/new", methods=["GET", "POST"], defaults={"dept_id": None})
@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
def department_edit(dept_id: int | None):
    dept = _get(Department, dept_id) if dept_id else None
    form = DepartmentForm(obj=dept if request.method == "GET" else None)
    _department_choices(form)
    if request.method == "GET" and dept is not None:
        form.area_id.data = dept.area_id or 0
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda: services.save_department(
            db.session, dept, code=form.code.data, name_zh=form.name_zh.data,
            name_en=form.name_en.data, kind=form.kind.data,
            area_id=form.area_id.data or None, liaison_name=form.liaison_name.data,
            liaison_phone=form.liaison_phone.data),
            saved_message=_("Department saved."),
            next_url=lambda _r: url_for("admin.departments"))
        if done:
            return done
    return render_template("admin/department_form.html", form=form, dept=dept), status


# Areas ---------------------------------------------------------------------------------

@bp.route("/areas")
def areas():
    return render_template("admin/areas.html", rows=list_areas(db.session))


@bp.route("/areas/new", methods=["GET", "POST"], defaults={"area_id": None})
@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
def area_edit(area_id: int | None):
    area = _get(Area, area_id) if area_id else None
    form = AreaForm(obj=area if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        done, status = submit(form, lambda: services.save_area(
            db.session, area, code=form.code.data, name_zh=form.name_zh.data,
            name_en=form.name_en.data, kind=form.kind.data),
            saved_message=_("Area saved."), next_url=lambda _r: url_for("admin.areas"))
        if done:
            return done
    return render_template("admin/area_form.html", form=form, area=area), status
