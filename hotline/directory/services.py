"""Directory look-ups used by the console, the API and the IVR."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from hotline.db import LIKE_ESCAPE, contains_pattern, safe_offset
from hotline.auth import roles
from hotline.directory.models import Area, CustomerAccount, CustomerPhone, Department
from hotline.directory.phones import try_e164


def accounts_by_phone(session: Session, phone: str) -> list[CustomerAccount]:
    e164 = try_e164(phone)
    if e164 is None:
        return []
    stmt = (
        select(CustomerAccount)
        .join(CustomerPhone)
        .where(CustomerPhone.e164 == e164)
        .options(selectinload(CustomerAccount.area), selectinload(CustomerAccount.phones))
        .order_by(CustomerAccount.account_number)
    )
    return list(session.scalars(stmt).unique())


def caller_accounts(session: Session, phone: str, limit: int = 3) -> list[CustomerAccount]:
    """The accounts a caller's number belongs to, by account number, without their related
    rows (the IVR's look-up on each call: one query)."""
    e164 = try_e164(phone)
    if e164 is None:
        return []
    return list(session.scalars(
        select(CustomerAccount).join(CustomerPhone).where(CustomerPhone.e164 == e164)
        .order_by(CustomerAccount.account_number).limit(limit)))


def account_by_number(session: Session, account_number: str) -> CustomerAccount | None:
    return session.scalar(
        select(CustomerAccount).where(CustomerAccount.account_number == account_number.strip())
    )


def area_by_code(session: Session, code: str) -> Area | None:
    return session.scalar(select(Area).where(Area.code == code))


def department_by_code(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def list_areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.code)))


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code)))


def search_accounts(session: Session, *, phone: str = "", account: str = "", q: str = "",
                    limit: int = 50, offset: int = 0) -> tuple[list[CustomerAccount], int]:
    """Customer search for the console and the API: by phone (any format), account number
    (exact) and name or street (substring). Returns (page, total)."""
    stmt = select(CustomerAccount)
    if phone.strip():
        e164 = try_e164(phone)
        if e164 is None:
            return [], 0
        stmt = stmt.where(CustomerAccount.id.in_(
            select(CustomerPhone.account_id).where(CustomerPhone.e164 == e164)))
    if account.strip():
        stmt = stmt.where(CustomerAccount.account_number == account.strip())
    if q.strip():
        pattern = contains_pattern(q.strip())
        stmt = stmt.where(or_(CustomerAccount.name.like(pattern, escape=LIKE_ESCAPE),
                              CustomerAccount.street.like(pattern, escape=LIKE_ESCAPE)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(CustomerAccount.area), selectinload(CustomerAccount.phones))
        .order_by(CustomerAccount.account_number).limit(limit).offset(safe_offset(offset)))
    return list(rows), total


def sees_full_phones(user) -> bool:
    """R27: only those who talk to customers (agents, supervisors) need the whole number."""
    return user.role in roles.CUSTOMER_CONTACT
