"""Home-page panels of the core, one set per role (real data only)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.admin.services import directory_counts
from hotline.auth import roles
from hotline.auth.models import User
from hotline.clock import utcnow
from hotline.extensions import db
from hotline.outages.queries import current_outages, outage_counts
from hotline.registry import HomePanel, NavItem, registry


def current_outages_context(user) -> dict:
    return {"outages": current_outages(db.session, utcnow())}


def customer_search_context(user) -> dict:
    return {}


def department_context(user) -> dict:
    """Staff: their department, its liaison, who backs up whom (R14, R29)."""
    dept = user.department
    members = [] if dept is None else list(db.session.scalars(
        select(User).where(User.department_id == dept.id, User.active.is_(True))
        .options(selectinload(User.backup_user)).order_by(User.username)))
    covering = list(db.session.scalars(select(User).where(
        User.backup_user_id == user.id, User.absent.is_(True), User.active.is_(True))))
    return {"department": dept, "members": members, "covering": covering}


def supervisor_context(user) -> dict:
    absent = list(db.session.scalars(
        select(User).where(User.absent.is_(True), User.active.is_(True))
        .options(selectinload(User.backup_user), selectinload(User.department))
        .order_by(User.username)))
    return {"counts": outage_counts(db.session), "absent": absent}


def admin_context(user) -> dict:
    return {"counts": directory_counts(db.session)}


def init_app(app: Flask) -> None:
    reg = registry(app)
    reg.nav += [
        NavItem("web.home", _l("Home"), roles.EVERYONE, order=0),
        NavItem("customers.search", _l("Customers"), roles.HOTLINE, order=20),
        NavItem("outages.index", _l("Outages"), roles.EVERYONE, order=30),
        NavItem("admin.users", _l("Users"), (roles.ADMIN,), order=80),
        NavItem("admin.departments", _l("Departments"), (roles.ADMIN,), order=81),
        NavItem("admin.areas", _l("Areas"), (roles.ADMIN,), order=82),
    ]
    reg.home_panels += [
        HomePanel("panels/customer_search.html", customer_search_context,
                  roles.CUSTOMER_CONTACT, order=10),
        HomePanel("panels/outages.html", current_outages_context, (roles.AGENT, roles.STAFF),
                  order=20),
        HomePanel("panels/department.html", department_context, (roles.STAFF,), order=10),
        HomePanel("panels/supervisor.html", supervisor_context, (roles.SUPERVISOR,), order=20),
        HomePanel("panels/admin.html", admin_context, (roles.ADMIN,), order=10),
    ]
