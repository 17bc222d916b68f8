"""`hotline demo load`: a believable utility, idempotent, deterministic, extensible."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hotline.auth.models import User
from hotline.demo.cli import load_demo
from hotline.demo.core import load_core
from hotline.directory.models import Area, CustomerAccount, CustomerPhone, Department
from hotline.directory.phones import try_e164
from hotline.outages.models import OutageNotice, OutageUpdate
from hotline.outages.queries import active_or_upcoming
from hotline.registry import registry

MODELS = (Area, Department, User, CustomerAccount, CustomerPhone, OutageNotice, OutageUpdate)


def counts(session):
    session.expire_all()
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_demo_load_is_idempotent_and_prints_logins(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    for login in ("agent", "staff", "supervisor", "admin"):
        assert f"\n{login} " in first.output
    once = counts(session)
    assert once["Area"] >= 6 and once["CustomerAccount"] >= 2000
    assert once["OutageNotice"] >= 2
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "nothing new" in second.output
    assert counts(session) == once


def load_utility(app, session, clock):
    """The core's demo utility alone: the packages' loaders (work orders...) are covered by
    the CLI and loader-order tests."""
    load_core(session, clock.now(), ZoneInfo(app.config["HOTLINE_TIMEZONE"]))


def test_demo_utility_is_believable(app, session, clock):
    load_utility(app, session, clock)
    session.commit()
    kinds = {a.kind for a in session.scalars(select(Area))}
    assert kinds == {"urban", "suburban"}
    dept_kinds = set(session.scalars(select(Department.kind)))
    assert dept_kinds == {"maintenance", "water_quality", "enforcement", "billing",
                          "customer_service"}
    for dept in session.scalars(select(Department)):
        staff = list(session.scalars(select(User).where(User.department_id == dept.id)))
        assert len(staff) >= 2 and dept.liaison_phone.startswith("+86")
        assert all(u.backup_user_id for u in staff)  # R29 A/B cover
    assert {u.role for u in session.scalars(select(User))} == {
        "agent", "staff", "supervisor", "admin"}
    phones = list(session.scalars(select(CustomerPhone.e164).limit(300)))
    assert all(try_e164(p) == p for p in phones)
    balances = {a.balance_due > 0 for a in session.scalars(select(CustomerAccount).limit(200))}
    assert balances == {True, False}
    cx = session.scalar(select(Area).where(Area.code == "CX"))
    (burst,) = active_or_upcoming(session, cx.id, clock.now())
    assert burst.status == "active" and burst.kind == "emergency" and burst.updates
    statuses = set(session.scalars(select(OutageNotice.status)))
    assert {"active", "scheduled", "restored"} <= statuses


def test_demo_is_deterministic(app, session, clock):
    load_utility(app, session, clock)
    session.commit()
    account = session.scalar(select(CustomerAccount).where(
        CustomerAccount.account_number == "11000001"))
    assert account.name == "王建国" and account.phones[0].e164 == "+8613800138000"
    sample = session.scalar(select(CustomerAccount).where(
        CustomerAccount.account_number == "13000123"))
    expected = (sample.name, sample.street, sample.house_number, sample.balance_due)
    assert expected == _fresh_sample(app, clock)


def _fresh_sample(app, clock):
    """Replay the seeded generator: the same seed gives the same households."""
    import random
    from zoneinfo import ZoneInfo

    from hotline.demo.core import AREAS, CUSTOMERS_PER_AREA, SEED, _billing
    from hotline.demo.names import address, mobile, person_name

    rng = random.Random(SEED + 1)
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    for index, (_code, _zh, _en, _kind, streets) in enumerate(AREAS):
        for n in range(1, CUSTOMERS_PER_AREA + 1):
            name = person_name(rng)
            street, house, _landmark = address(rng, streets)
            [mobile(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
            balance, _d, _a = _billing(rng, today)
            if f"{11 + index}{n:06d}" == "13000123":
                return name, street, house, balance
    raise AssertionError("sample account not generated")


def test_registered_loaders_run_in_order_after_the_core(app, session, clock, monkeypatch):
    seen = []
    reg = registry(app)
    monkeypatch.setattr(reg, "demo_loaders", [])  # this test's loaders only, undone after

    def first(s, now):
        seen.append(("first", s.scalar(select(func.count()).select_from(CustomerAccount))))

    reg.add_demo_loader("first", first)
    reg.add_demo_loader("second", lambda s, now: seen.append(("second", now)))
    with pytest.raises(ValueError, match="twice"):
        reg.add_demo_loader("first", first)
    load_demo(app, session, clock.now())
    assert seen[0][0] == "first" and seen[0][1] >= 2000
    assert seen[1] == ("second", clock.now())


def test_demo_refused_in_production(app, session):
    app.config["HOTLINE_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output
    assert counts(session)["User"] == 0
