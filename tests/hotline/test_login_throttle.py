"""Failed logins slow further attempts down (per account and address, per address, per
account) instead of locking the account: the right password works again once the delay is
over, and someone failing on purpose elsewhere cannot keep a user out."""

from datetime import timedelta

import pytest

from hotline.auth import throttle
from hotline.auth.models import LoginThrottle
from tests.conftest import csrf_token_from
from tests.factories import make_user

OFFICE = "10.0.0.7"
ATTACKER = "203.0.113.9"


def attempt(client, username, password="password123", ip=OFFICE):
    env = {"REMOTE_ADDR": ip}
    token = csrf_token_from(client.get("/login", environ_base=env).get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token}, environ_base=env)
    if response.status_code == 302:  # log out again: the next attempt starts anonymous
        page = client.get("/", environ_base=env).get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_token_from(page)}, environ_base=env)
    return response


@pytest.fixture
def app_config():
    # Fewer free tries than the defaults (5 per account, 20 per address): every attempt
    # costs a password hash.
    return {"LOGIN_MAX_FAILURES": 3, "LOGIN_IP_MAX_FAILURES": 6}


@pytest.fixture
def li(session):
    user = make_user(session, username="li")
    session.commit()
    return user


def test_delays_grow_and_the_right_password_works_after_them(client, li, app, clock):
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free - 1):
        assert attempt(client, "li", "bad-password").status_code == 401
    refused = attempt(client, "li", "bad-password")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    # The message gives the time on the utility's clock (T0 is 10:00 in Shanghai).
    assert "请于 10:00:30 之后再试" in refused.get_data(as_text=True)
    # During the delay even the right password is refused, and refusals do not count.
    for _ in range(3):
        assert attempt(client, "li").status_code == 429
    clock.advance(seconds=31)
    assert attempt(client, "li").status_code == 302
    # A success starts the account's count afresh.
    for _ in range(free - 1):
        assert attempt(client, "li", "bad-password").status_code == 401


def test_each_further_failure_doubles_the_delay_up_to_the_cap(client, li, app, clock):
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free):
        attempt(client, "li", "bad-password")
    waits = []
    for _ in range(8):
        clock.advance(seconds=int(waits[-1]) if waits else 30)
        response = attempt(client, "li", "bad-password")
        waits.append(int(response.headers["Retry-After"]))
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]


def test_the_message_is_in_english_for_english_users(client, li, app):
    env = {"REMOTE_ADDR": OFFICE}
    page = client.get("/login", environ_base=env).get_data(as_text=True)
    client.post("/lang/en", data={"csrf_token": csrf_token_from(page), "next": "/login"},
                environ_base=env)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = attempt(client, "li", "bad-password")
    assert "Too many failed logins. Try again after 10:00:30." in response.get_data(
        as_text=True)


def test_failures_from_another_address_do_not_keep_the_user_out(client, li, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 5):
        attempt(client, "li", "bad-password", ip=ATTACKER)
    assert attempt(client, "li", ip=ATTACKER).status_code == 429
    assert attempt(client, "li", ip=OFFICE).status_code == 302


def test_one_address_guessing_many_accounts_is_slowed(client, session, app, clock):
    for n in range(app.config["LOGIN_IP_MAX_FAILURES"]):
        make_user(session, username=f"u{n}")
    make_user(session, username="victim")
    session.commit()
    for n in range(app.config["LOGIN_IP_MAX_FAILURES"] - 1):
        assert attempt(client, f"u{n}", "bad-password", ip=ATTACKER).status_code == 401
    last = app.config["LOGIN_IP_MAX_FAILURES"] - 1
    assert attempt(client, f"u{last}", "bad-password", ip=ATTACKER).status_code == 429
    # Every account is delayed from that address, even with its right password...
    assert attempt(client, "victim", ip=ATTACKER).status_code == 429
    # ...and from any other address nothing changed.
    assert attempt(client, "victim", ip=OFFICE).status_code == 302
    clock.advance(seconds=31)
    # Logging in to one's own account does not reset the address's count.
    assert attempt(client, "victim", ip=ATTACKER).status_code == 302
    assert attempt(client, "u0", "bad-password", ip=ATTACKER).status_code == 429


def test_unknown_usernames_are_counted_like_known_ones(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(client, "nobody", "x-password").status_code == 401
    assert attempt(client, "nobody", "x-password").status_code == 429


def test_counts_are_forgotten_after_a_quiet_hour(session, clock):
    rules = throttle.Policies(*(throttle.Policy(2, timedelta(seconds=30),
                                                timedelta(minutes=15)),) * 3)
    now = clock.now()
    assert throttle.record_failure(session, "li", OFFICE, now=now, rules=rules) is None
    assert throttle.record_failure(session, "li", OFFICE, now=now, rules=rules) == \
        now + timedelta(seconds=30)
    later = now + timedelta(hours=1, minutes=1)
    assert throttle.wait_until(session, "li", OFFICE, now=later, rules=rules) is None
    assert throttle.record_failure(session, "li", OFFICE, now=later, rules=rules) is None


def test_an_administrator_setting_a_password_ends_the_delays(client, li, session, app):
    from hotline.admin.services import update_user

    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt(client, "li", "bad-password")
    assert attempt(client, "li").status_code == 429
    session.expire_all()
    user = session.get(type(li), li.id)
    admin = make_user(session, role="admin")
    update_user(session, user, admin, role=user.role, department_id=None, backup_user_id=None,
                absent=False, active=True, locale=user.locale, display_name="",
                new_password="a-new-password")
    session.commit()
    assert session.query(LoginThrottle).filter(
        LoginThrottle.key.like("acct%")).count() == 0
    assert attempt(client, "li", "a-new-password").status_code == 302
