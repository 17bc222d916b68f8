"""Console skeleton: navigation and home pages by role, admin pages (CSRF, form messages)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.auth.models import User
from hotline.auth.services import LoginRefused, authenticate
from hotline.directory.models import Area, Department
from hotline.outages.services import create_outage
from tests.conftest import csrf_token_from
from tests.factories import make_area, make_customer, make_department, make_user

NAV = {"customers": "/customers", "outages": "/outages", "users": "/admin/users",
       "departments": "/admin/departments", "areas": "/admin/areas"}
SEES = {
    "agent": {"customers", "outages"},
    "staff": {"outages"},
    "supervisor": {"customers", "outages"},
    "admin": {"customers", "outages", "users", "departments", "areas"},
}


def nav_links(html):
    start = html.index('<nav class="mainnav">')
    block = html[start:html.index("</nav>", start)]
    return {name for name, href in NAV.items() if f'href="{href}"' in block}


@pytest.mark.parametrize("role", sorted(SEES))
def test_navigation_by_role(client, session, login_as, role):
    dept = make_department(session) if role == "staff" else None
    login_as(make_user(session, role=role, department=dept))
    assert nav_links(client.get("/").get_data(as_text=True)) == SEES[role]
    for name, href in NAV.items():
        status = client.get(href).status_code
        assert (status == 200) is (name in SEES[role]), (href, status)


def test_agent_home_shows_outages_and_search(client, session, login_as, clock):
    area = make_area(session, name_zh="城西区")
    boss = make_user(session, role="supervisor")
    create_outage(session, boss, kind="emergency", area_ids=[area.id], start_at=clock.now(),
                  expected_end_at=clock.now() + timedelta(hours=2),
                  cause="主管爆裂", now=clock.now())
    session.commit()
    login_as(make_user(session, role="agent"))
    home = client.get("/").get_data(as_text=True)
    assert "主管爆裂" in home and "城西区" in home
    assert 'action="/customers"' in home


def test_staff_home_shows_department_liaison_and_backups(client, session, login_as):
    dept = make_department(session, name_zh="城东区供水抢修所", liaison_name="赵值班",
                           liaison_phone="+8613800000001")
    first = make_user(session, role="staff", department=dept, display_name="钱一")
    second = make_user(session, role="staff", department=dept, display_name="孙二",
                       backup_user_id=first.id, absent=True)
    first.backup_user_id = second.id
    session.commit()
    login_as(first)
    home = client.get("/").get_data(as_text=True)
    assert "城东区供水抢修所" in home and "赵值班" in home and "+8613800000001" in home
    assert "孙二" in home and "钱一" in home
    assert "您正在接替" in home or "You are covering for" in home
    assert "/customers" not in home


def test_supervisor_home_shows_counts_and_cover(client, session, login_as):
    dept = make_department(session, name_zh="水质检测中心")
    backup = make_user(session, role="staff", department=dept, display_name="周备岗")
    make_user(session, role="staff", department=dept, display_name="吴缺岗",
              backup_user_id=backup.id, absent=True)
    make_user(session, role="staff", department=dept, display_name="郑无人", absent=True)
    session.commit()
    login_as(make_user(session, role="supervisor"))
    home = client.get("/").get_data(as_text=True)
    assert "吴缺岗" in home and "周备岗" in home and "郑无人" in home
    assert "无人接替" in home or "nobody" in home


def test_admin_home_counts(client, session, login_as):
    area = make_area(session)
    for _ in range(3):
        make_customer(session, area=area)
    session.commit()
    login_as(make_user(session, role="admin"))
    home = client.get("/").get_data(as_text=True)
    assert "<b>3</b>" in home  # customer accounts
    assert "<b>1</b>" in home  # areas, active users


# Admin pages -----------------------------------------------------------------------------

@pytest.fixture
def admin_client(client, session, login_as):
    admin = make_user(session, role="admin", username="root")
    session.commit()
    login_as(admin)
    return client


def form_token(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_admin_creates_and_edits_a_user(admin_client, session, clock):
    dept = make_department(session, code="MNT-CD")
    buddy = make_user(session, role="staff", department=dept, username="buddy")
    session.commit()
    token = form_token(admin_client, "/admin/users/new")
    bad = admin_client.post("/admin/users/new", data={
        "csrf_token": token, "username": "wang", "role": "staff", "department_id": "0",
        "backup_user_id": "0", "locale": "zh_CN", "password": "short"})
    assert bad.status_code == 422
    assert session.scalar(select(User).where(User.username == "wang")) is None
    ok = admin_client.post("/admin/users/new", data={
        "csrf_token": token, "username": "wang", "display_name": "王五", "role": "staff",
        "department_id": str(dept.id), "backup_user_id": str(buddy.id), "locale": "en",
        "password": "long-enough-pw", "active": "y"})
    assert ok.status_code == 302, ok.get_data(as_text=True)
    session.expire_all()
    wang = session.scalar(select(User).where(User.username == "wang"))
    assert (wang.department_id, wang.backup_user_id, wang.locale) == (dept.id, buddy.id, "en")
    edited = admin_client.post(f"/admin/users/{wang.id}", data={
        "csrf_token": token, "display_name": "王五", "role": "staff",
        "department_id": str(dept.id), "backup_user_id": str(buddy.id), "locale": "zh_CN",
        "absent": "y", "password": "new-password-1"})
    assert edited.status_code == 302
    session.expire_all()
    wang = session.get(User, wang.id)
    assert wang.absent and not wang.active
    # deactivated: the new password is set but does not let them in
    with pytest.raises(LoginRefused) as refused:
        authenticate(session, "wang", "new-password-1", now=clock.now())
    assert refused.value.reason == "inactive"


def test_user_edit_refusals_write_nothing(admin_client, session):
    user = make_user(session, role="agent", username="ann")
    session.commit()
    token = form_token(admin_client, f"/admin/users/{user.id}")
    self_backup = admin_client.post(f"/admin/users/{user.id}", data={
        "csrf_token": token, "role": "agent", "department_id": "0",
        "backup_user_id": str(user.id), "locale": "zh_CN", "active": "y"})
    assert self_backup.status_code == 422
    no_department = admin_client.post(f"/admin/users/{user.id}", data={
        "csrf_token": token, "role": "staff", "department_id": "0",
        "backup_user_id": "0", "locale": "zh_CN", "active": "y"})
    assert no_department.status_code == 422
    text = no_department.get_data(as_text=True)
    assert "部门人员必须属于一个部门" in text or "Department staff need a department" in text
    session.expire_all()
    assert session.get(User, user.id).role == "agent"
    root = session.scalar(select(User).where(User.username == "root"))
    demote = admin_client.post(f"/admin/users/{root.id}", data={
        "csrf_token": token, "role": "agent", "department_id": "0", "backup_user_id": "0",
        "locale": "zh_CN", "active": "y"})
    assert demote.status_code == 422
    session.expire_all()
    assert session.get(User, root.id).role == "admin"


def test_admin_forms_refuse_missing_csrf(admin_client, session):
    area = make_area(session, code="CD", name_zh="城东区")
    user = make_user(session, role="agent", username="ann")
    session.commit()
    assert admin_client.post(f"/admin/areas/{area.id}", data={
        "code": "CD", "name_zh": "改名", "name_en": "x", "kind": "urban"}).status_code == 400
    assert admin_client.post(f"/admin/users/{user.id}", data={
        "role": "admin", "locale": "zh_CN", "active": "y"}).status_code == 400
    assert admin_client.post("/admin/departments/new", data={
        "code": "X", "name_zh": "x", "name_en": "x", "kind": "billing"}).status_code == 400
    session.expire_all()
    assert session.get(Area, area.id).name_zh == "城东区"
    assert session.get(User, user.id).role == "agent"
    assert session.scalar(select(Department)) is None


def test_admin_edits_areas_and_departments(admin_client, session):
    token = form_token(admin_client, "/admin/areas/new")
    assert admin_client.post("/admin/areas/new", data={
        "csrf_token": token, "code": "KFQ", "name_zh": "开发区", "name_en": "Development Zone",
        "kind": "suburban"}).status_code == 302
    dup = admin_client.post("/admin/areas/new", data={
        "csrf_token": token, "code": "KFQ", "name_zh": "重复", "name_en": "Dup",
        "kind": "urban"})
    assert dup.status_code == 422
    area = session.scalar(select(Area).where(Area.code == "KFQ"))
    bad_phone = admin_client.post("/admin/departments/new", data={
        "csrf_token": token, "code": "MNT-KFQ", "name_zh": "开发区抢修所",
        "name_en": "Maintenance", "kind": "maintenance", "area_id": str(area.id),
        "liaison_name": "赵值班", "liaison_phone": "12"})
    assert bad_phone.status_code == 422
    assert session.scalar(select(Department)) is None
    ok = admin_client.post("/admin/departments/new", data={
        "csrf_token": token, "code": "MNT-KFQ", "name_zh": "开发区抢修所",
        "name_en": "Maintenance", "kind": "maintenance", "area_id": str(area.id),
        "liaison_name": "赵值班", "liaison_phone": "138 0000 0002"})
    assert ok.status_code == 302
    dept = session.scalar(select(Department))
    assert dept.liaison_phone == "+8613800000002" and dept.area_id == area.id
    listing = admin_client.get("/admin/departments").get_data(as_text=True)
    assert "开发区抢修所" in listing and "赵值班" in listing
    city = admin_client.post(f"/admin/departments/{dept.id}", data={
        "csrf_token": token, "code": "MNT-KFQ", "name_zh": "开发区抢修所",
        "name_en": "Maintenance", "kind": "maintenance", "area_id": "0",
        "liaison_name": "", "liaison_phone": ""})
    assert city.status_code == 302
    session.expire_all()
    assert session.get(Department, dept.id).area_id is None
