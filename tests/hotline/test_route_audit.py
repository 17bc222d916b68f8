"""The route-protection audit: every rule of `app.url_map` declares who may use it
(hotline.auth.access), and each route answers anonymous users and every role exactly as its
declaration says. A route added without a declaration fails here (and is refused at run
time)."""

from __future__ import annotations

import pytest
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from werkzeug.routing import AnyConverter, IntegerConverter

from hotline.auth import access
from hotline.auth.roles import ROLES
from tests.factories import make_department, make_token, make_user

pytestmark = pytest.mark.sqlite_only  # routing and access do not depend on the database
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method


def example_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 999999
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_declares_its_protection(app):
    undeclared = [f"{method} {rule.rule} ({rule.endpoint})" for rule, method in routes(app)
                  if access.declared(app, rule.endpoint, method) is None]
    assert undeclared == [], "routes without a declared protection (hotline.auth.access)"


# A route added here must not outlive the test: an app of its own (a config holding an
# object is never shared between tests).
@pytest.mark.parametrize("app_config", [{"AUDIT_PROBE_APP": object()}])
def test_a_route_without_a_declaration_is_found_and_refused(app, session, client):
    app.add_url_rule("/audit-probe", "audit_probe", lambda: "secret")
    assert access.declared(app, "audit_probe", "GET") is None
    assert client.get("/audit-probe").status_code == 403
    admin = make_user(session, role="admin")
    session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = str(admin.id), True
    assert client.get("/audit-probe").status_code == 403


def outcome(response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code in (301, 302, 303) and "/login?next=" in response.headers.get(
            "Location", ""):
        return "login"  # Flask-Login sending an anonymous user to log in
    return "through"


def expected(declared: access.Access, api: bool, role: str | None) -> set[str]:
    if declared.kind == access.TWILIO_SIGNED:
        return {"403"}  # unsigned requests, whoever sends them
    if declared.kind == access.PUBLIC:
        return {"through"}
    if role is None:
        return {"401"} if api else {"login"}
    return {"through"} if role in declared.roles else {"403"}


def test_each_route_answers_as_declared(app, session):
    department = make_department(session, code="AUDIT")
    users = {role: make_user(session, role=role, username=f"audit-{role}",
                             department=department if role == "staff" else None)
             for role in ROLES}
    tokens = {role: make_token(session, user, app.extensions["hotline.clock"].now())
              for role, user in users.items()}
    session.commit()
    # A valid CSRF token, so that empty POSTs reach the access check rather than stop at
    # the CSRF check before it.
    with app.test_request_context():
        csrf = generate_csrf()
        raw_csrf = flask_session["csrf_token"]
    wrong, checked = [], 0
    for rule, method in routes(app):
        declared = access.declared(app, rule.endpoint, method)
        api = declared.kind == access.TOKEN
        url = example_url(rule)
        for role in (None, *ROLES):
            client = app.test_client()
            headers = {}
            if role and api:
                headers["Authorization"] = f"Bearer {tokens[role]}"
            elif not api:
                headers["X-CSRFToken"] = csrf
                with client.session_transaction() as cookie:
                    cookie["csrf_token"] = raw_csrf
                    if role:
                        cookie["_user_id"], cookie["_fresh"] = str(users[role].id), True
            response = client.open(url, method=method, headers=headers)
            response.get_data()  # a streamed export runs to its end inside its request
            response.close()
            got, want = outcome(response), expected(declared, api, role)
            checked += 1
            if got not in want:
                wrong.append(f"{method} {url} as {role or 'anonymous'}: {response.status_code}"
                             f" ({got}), declared {declared.kind} {declared.roles}")
    assert wrong == [], "\n".join(wrong)
    assert checked >= 5 * 80  # the whole map was walked
