"""Turn codes people and API clients use (area code, department code, username, account
number) into ids, with a clear error naming the field."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.models import Area, CustomerAccount, Department
from hotline.directory.services import account_by_number
from hotline.errors import ValidationFailed
from workorders.i18n import gettext as _
from workorders.services.citations import article_id as picked_article
from workorders.services.create import NewOrder


def area_id(session: Session, code: str | None, field: str = "area") -> int | None:
    if not code:
        return None
    found = session.scalar(select(Area.id).where(Area.code == code.strip()))
    if found is None:
        raise ValidationFailed(_("Unknown area %(code)s.", code=code), fields={field: "unknown"})
    return found


def department_id(session: Session, code: str | None, field: str = "department") -> int | None:
    if not code:
        return None
    found = session.scalar(select(Department.id).where(Department.code == code.strip()))
    if found is None:
        raise ValidationFailed(_("Unknown department %(code)s.", code=code),
                               fields={field: "unknown"})
    return found


def user_id(session: Session, username: str | None, field: str) -> int | None:
    if not username:
        return None
    found = session.scalar(select(User.id).where(User.username == username.strip()))
    if found is None:
        raise ValidationFailed(_("Unknown user %(name)s.", name=username),
                               fields={field: "unknown"})
    return found


def account_id(session: Session, number: str | None, field: str = "account_number"
               ) -> int | None:
    if not number:
        return None
    account: CustomerAccount | None = account_by_number(session, number)
    if account is None:
        raise ValidationFailed(_("Unknown account %(number)s.", number=number),
                               fields={field: "unknown"})
    return account.id


def new_order_from(session: Session, data: dict) -> NewOrder:
    # Form fields left empty arrive as None.
    data = {k: ("" if v is None and k not in ("confidential", "small_repair") else v)
            for k, v in data.items()}
    return NewOrder(
        category=data["category"], description=data.get("description", ""),
        contact_name=data.get("contact_name", ""), contact_phone=data.get("contact_phone", ""),
        account_id=account_id(session, data.get("account_number")),
        area_id=area_id(session, data.get("area")), street=data.get("street", ""),
        house_number=data.get("house_number", ""), landmark=data.get("landmark", ""),
        work_street=data.get("work_street", ""),
        work_house_number=data.get("work_house_number", ""),
        work_landmark=data.get("work_landmark", ""),
        call_sid=data.get("call_sid", ""), confidential=bool(data.get("confidential")),
        subject_user_id=user_id(session, data.get("subject_user"), "subject_user"),
        subject_department_id=department_id(session, data.get("subject_department"),
                                            "subject_department"),
        department_id=department_id(session, data.get("department")),
        answer=data.get("answer", ""), article_id=picked_article(data.get("article")),
        master_number=data.get("master_number", ""),
        small_repair=bool(data.get("small_repair")))


def action_params(session: Session, data: dict) -> dict:
    """API/console action fields → service params (codes resolved to ids)."""
    params = {k: v for k, v in data.items() if k not in ("action", "version") and v is not None}
    if "department" in params:
        params["department_id"] = department_id(session, params.pop("department"))
    if "assignee" in params:
        params["assignee_id"] = user_id(session, params.pop("assignee"), "assignee")
    if "area" in params:
        params["area_id"] = area_id(session, params.pop("area"))
    if "article" in params:  # P1: the article an answer on the call came from
        params["article_id"] = picked_article(params.pop("article"))
    if "account_number" in params:  # R30: the household the agent chose
        params["account_id"] = account_id(session, params.pop("account_number"))
    return params
