"""Directory and user administration. Each function validates everything first and raises
ValidationFailed with field messages, so a refused change writes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth import throttle
from hotline.auth.models import User
from hotline.auth.roles import ROLES
from hotline.auth.services import create_user, set_password
from hotline.directory.models import (AREA_KINDS, DEPARTMENT_KINDS, Area, CustomerAccount,
                                      Department)
from hotline.directory.phones import InvalidPhone, to_e164
from hotline.errors import ValidationFailed
from hotline.i18n import tr as _

LOCALES = ("zh_CN", "en")


def _code_ok(code: str) -> bool:
    return bool(code) and len(code) <= 32 and code.replace("-", "").replace("_", "").isalnum()


def add_user(session: Session, *, username: str, role: str, password: str, now: datetime,
             department_id: int | None = None, display_name: str = "", locale: str = "zh_CN",
             phone: str = "") -> User:
    dept = session.get(Department, department_id) if department_id else None
    if department_id and dept is None:
        raise ValidationFailed(_("The user was not saved."),
                               fields={"department_id": _("Unknown department.")})
    return create_user(session, username=username, role=role, password=password, now=now,
                       department_code=dept.code if dept else None,
                       display_name=display_name, locale=locale, phone=phone)


def update_user(session: Session, user: User, actor: User, *, role: str,
                department_id: int | None, backup_user_id: int | None, absent: bool,
                active: bool, locale: str, display_name: str, phone: str = "",
                new_password: str = "") -> User:
    fields: dict[str, str] = {}
    if role not in ROLES:
        fields["role"] = _("Choose a role.")
    dept = session.get(Department, department_id) if department_id else None
    if department_id and dept is None:
        fields["department_id"] = _("Unknown department.")
    if role == "staff" and dept is None and "department_id" not in fields:
        fields["department_id"] = _("Department staff need a department.")
    if backup_user_id:
        backup = session.get(User, backup_user_id)
        if backup is None or backup.id == user.id:
            fields["backup_user_id"] = _("Choose another user as backup.")
        elif not backup.active:
            fields["backup_user_id"] = _("The backup must be an active user.")
    if locale not in LOCALES:
        fields["locale"] = _("Choose a language.")
    if user.id == actor.id and (not active or role != "admin"):
        fields["active" if not active else "role"] = _(
            "You cannot deactivate yourself or remove your own administrator role.")
    if phone.strip():
        try:
            phone = to_e164(phone)
        except InvalidPhone:
            fields["phone"] = _("Not a valid phone number.")
    if new_password and len(new_password) < 8:
        fields["new_password"] = _("Passwords need at least 8 characters.")
    if fields:
        raise ValidationFailed(_("The user was not saved."), fields=fields)
    user.role = role
    user.department_id = dept.id if dept else None
    user.backup_user_id = backup_user_id or None
    user.absent = bool(absent)
    user.active = bool(active)
    user.locale = locale
    user.display_name = display_name.strip() or user.username
    user.phone = phone.strip()
    if new_password:
        set_password(user, new_password)
        user.failed_logins = 0
        user.locked_until = None
        throttle.forget_account(session, user.username)
    session.flush()
    return user


def save_area(session: Session, area: Area | None, *, code: str, name_zh: str, name_en: str,
              kind: str) -> Area:
    fields: dict[str, str] = {}
    code = (code or "").strip()
    if not _code_ok(code):
        fields["code"] = _("Use up to 32 letters, digits, '-' or '_'.")
    else:
        clash = session.scalar(select(Area).where(Area.code == code))
        if clash is not None and clash is not area:
            fields["code"] = _("This code is already used.")
    if not (name_zh or "").strip():
        fields["name_zh"] = _("Required.")
    if not (name_en or "").strip():
        fields["name_en"] = _("Required.")
    if kind not in AREA_KINDS:
        fields["kind"] = _("Choose urban or suburban.")
    if fields:
        raise ValidationFailed(_("The area was not saved."), fields=fields)
    if area is None:
        area = Area(code=code, name_zh="", name_en="", kind=kind)
        session.add(area)
    area.code, area.name_zh, area.name_en, area.kind = code, name_zh.strip(), name_en.strip(), kind
    session.flush()
    return area


def save_department(session: Session, dept: Department | None, *, code: str, name_zh: str,
                    name_en: str, kind: str, area_id: int | None, liaison_name: str,
                    liaison_phone: str) -> Department:
    fields: dict[str, str] = {}
    code = (code or "").strip()
    if not _code_ok(code):
        fields["code"] = _("Use up to 32 letters, digits, '-' or '_'.")
    else:
        clash = session.scalar(select(Department).where(Department.code == code))
        if clash is not None and clash is not dept:
            fields["code"] = _("This code is already used.")
    if not (name_zh or "").strip():
        fields["name_zh"] = _("Required.")
    if not (name_en or "").strip():
        fields["name_en"] = _("Required.")
    if kind not in DEPARTMENT_KINDS:
        fields["kind"] = _("Choose a kind.")
    if area_id and session.get(Area, area_id) is None:
        fields["area_id"] = _("Unknown area.")
    phone = (liaison_phone or "").strip()
    if phone:
        try:
            phone = to_e164(phone)
        except InvalidPhone:
            fields["liaison_phone"] = _("Not a valid phone number.")
    elif (liaison_name or "").strip():
        # R14: the liaison is reachable around the clock.
        fields["liaison_phone"] = _("Give the liaison's 24-hour phone number.")
    if fields:
        raise ValidationFailed(_("The department was not saved."), fields=fields)
    if dept is None:
        dept = Department(code=code, name_zh="", name_en="", kind=kind)
        session.add(dept)
    dept.code, dept.name_zh, dept.name_en, dept.kind = code, name_zh.strip(), name_en.strip(), kind
    dept.area_id = area_id or None
    dept.liaison_name, dept.liaison_phone = (liaison_name or "").strip(), phone
    session.flush()
    return dept


def directory_counts(session: Session) -> dict[str, int]:
    def count(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {"users": count(User, User.active.is_(True)), "departments": count(Department),
            "areas": count(Area), "customers": count(CustomerAccount)}
