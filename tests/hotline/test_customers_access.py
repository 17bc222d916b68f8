"""Customer search, the household file (R30), and R27: no customer data without a need."""

import pytest

from tests.factories import make_area, make_customer, make_department, make_token, make_user


@pytest.fixture
def household(session):
    area = make_area(session, code="CD", name_zh="城东区")
    account = make_customer(session, area=area, account_number="11000001", name="王建国",
                            street="解放东路", house_number="12号", landmark="人民医院对面",
                            phones=("+8613800138000",))
    make_customer(session, area=area, account_number="11000002", name="李四",
                  phones=("+8613912345678",))
    session.commit()
    return account


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_hotline_roles_search_and_see_full_phones(client, session, household, login_as, role):
    login_as(make_user(session, role=role))
    session.commit()
    page = client.get("/customers?phone=138 0013 8000").get_data(as_text=True)
    assert "11000001" in page and "11000002" not in page
    detail = client.get("/customers/11000001").get_data(as_text=True)
    assert "+8613800138000" in detail and "人民医院对面" in detail


def test_search_by_name_and_account(client, session, household, login_as):
    login_as(make_user(session, role="agent"))
    by_name = client.get("/customers?q=李").get_data(as_text=True)
    assert "11000002" in by_name and "11000001" not in by_name
    bad = client.get("/customers?phone=12").get_data(as_text=True)
    assert "电话号码无效" in bad and "11000001" not in bad
    by_account = client.get("/customers?account=11000001").get_data(as_text=True)
    assert "王建国" in by_account and "李四" not in by_account


def test_admin_sees_masked_phones(client, session, household, login_as):
    login_as(make_user(session, role="admin"))
    detail = client.get("/customers/11000001").get_data(as_text=True)
    assert "+8613800138000" not in detail and "+86138****8000" in detail


def test_staff_get_no_customer_pages(client, session, household, login_as):
    staff = make_user(session, role="staff", department=make_department(session))
    session.commit()
    login_as(staff)
    assert client.get("/customers?phone=13800138000").status_code == 403
    assert client.get("/customers/11000001").status_code == 403
    assert "/customers" not in client.get("/").get_data(as_text=True)


def test_unknown_account_is_404(client, session, household, login_as):
    login_as(make_user(session, role="agent"))
    assert client.get("/customers/99999999").status_code == 404


def test_api_search_is_paginated(client, session, household, clock):
    token = make_token(session, make_user(session, role="agent"), clock.now())
    session.commit()
    response = client.get("/api/v1/customers?q=&page=1&page_size=1", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert len(body) == 1 and body[0]["account_number"] == "11000001"
    assert '"total": 2' in response.headers["X-Pagination"]
    by_phone = client.get("/api/v1/customers?phone=+8613800138000", headers=bearer(token))
    assert [c["account_number"] for c in by_phone.get_json()] == ["11000001"]
    assert by_phone.get_json()[0]["phones"] == ["+8613800138000"]
    assert by_phone.get_json()[0]["area"]["code"] == "CD"


def test_api_household_file(client, session, household, clock):
    token = make_token(session, make_user(session, role="supervisor"), clock.now())
    session.commit()
    body = client.get("/api/v1/customers/11000001", headers=bearer(token)).get_json()
    assert body["name"] == "王建国" and body["landmark"] == "人民医院对面"
    assert body["balance_due"] == "0.00"
    missing = client.get("/api/v1/customers/nope", headers=bearer(token))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_api_refuses_staff_tokens_and_masks_for_admins(client, session, household, clock):
    staff = make_user(session, role="staff", department=make_department(session))
    admin = make_user(session, role="admin")
    staff_token = make_token(session, staff, clock.now())
    admin_token = make_token(session, admin, clock.now())
    session.commit()
    for url in ("/api/v1/customers?phone=13800138000", "/api/v1/customers/11000001"):
        refused = client.get(url, headers=bearer(staff_token))
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "forbidden"
    body = client.get("/api/v1/customers/11000001", headers=bearer(admin_token)).get_json()
    assert body["phones"] == ["+86138****8000"]
    assert client.get("/api/v1/customers/11000001").status_code == 401
