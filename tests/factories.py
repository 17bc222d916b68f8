"""Factories: the smallest valid records, with every field overridable."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hotline.auth.models import User
from werkzeug.security import generate_password_hash

from hotline.auth.services import create_token
from hotline.directory.models import Area, CustomerAccount, CustomerPhone, Department

_seq = itertools.count(1)
# Every factory user shares one hash of "password123", made cheap on purpose: a login checks
# the method named in the stored hash, and production's scrypt (hotline.auth.services) costs
# about 0.15 s per login, several seconds over the suite. Users created through the
# services (console, CLI, demo) still get scrypt.
_PASSWORD_HASH = generate_password_hash("password123", method="pbkdf2:sha256:1")


def make_area(session, code: str | None = None, kind: str = "urban", **kw) -> Area:
    n = next(_seq)
    area = Area(code=code or f"A{n}", name_zh=kw.pop("name_zh", f"区域{n}"),
                name_en=kw.pop("name_en", f"Area {n}"), kind=kind, **kw)
    session.add(area)
    session.flush()
    return area


def make_department(session, kind: str = "maintenance", area: Area | None = None,
                    code: str | None = None, **kw) -> Department:
    n = next(_seq)
    dept = Department(code=code or f"D{n}", name_zh=kw.pop("name_zh", f"部门{n}"),
                      name_en=kw.pop("name_en", f"Department {n}"), kind=kind, area=area,
                      liaison_name=kw.pop("liaison_name", "值班员"),
                      liaison_phone=kw.pop("liaison_phone", "+8613800000000"), **kw)
    session.add(dept)
    session.flush()
    return dept


def make_user(session, role: str = "agent", department: Department | None = None,
              username: str | None = None, now=None, **kw) -> User:
    from datetime import datetime, timezone

    n = next(_seq)
    user = User(username=username or f"{role}{n}", role=role, department=department,
                display_name=kw.pop("display_name", f"{role} {n}"),
                password_hash=_PASSWORD_HASH, locale=kw.pop("locale", "zh_CN"),
                created_at=now or datetime(2026, 1, 1, tzinfo=timezone.utc),
                active=kw.pop("active", True), absent=kw.pop("absent", False),
                failed_logins=0, phone=kw.pop("phone", ""), **kw)
    session.add(user)
    session.flush()
    return user


def make_customer(session, area: Area | None = None, phones=("+8613912345678",),
                  account_number: str | None = None, now=None, **kw) -> CustomerAccount:
    from datetime import datetime, timezone

    n = next(_seq)
    now = now or datetime(2026, 1, 1, tzinfo=timezone.utc)
    account = CustomerAccount(
        account_number=account_number or f"{100000 + n}",
        name=kw.pop("name", f"张三{n}"), street=kw.pop("street", "人民路"),
        house_number=kw.pop("house_number", f"{n}号"), landmark=kw.pop("landmark", ""),
        area=area or make_area(session), meter_number=kw.pop("meter_number", f"M{n}"),
        balance_due=kw.pop("balance_due", Decimal("0.00")), created_at=now, updated_at=now,
        **kw)
    account.phones = [CustomerPhone(e164=p) for p in phones]
    session.add(account)
    session.flush()
    return account


def make_token(session, user: User, now) -> str:
    return create_token(session, user.username, now=now)
