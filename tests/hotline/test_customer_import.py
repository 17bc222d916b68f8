"""`hotline customers import` (R30): validate every row, import all or nothing, re-import
updates by account number."""

from decimal import Decimal

from sqlalchemy import func, select

from hotline.directory.customer_csv import COLUMNS
from hotline.directory.models import CustomerAccount, CustomerPhone
from hotline.directory.services import account_by_number, accounts_by_phone
from tests.factories import make_area

HEADER = ",".join(COLUMNS)


def write(tmp_path, *rows, name="customers.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_import_creates_accounts(app, session, tmp_path):
    make_area(session, code="CD")
    session.commit()
    path = write(tmp_path,
                 "1001,王建国,解放东路,12号,人民医院对面,CD,138 0013 8000;+86 139 1234 5678,"
                 "M1,12.50,2026-10-05,88.00",
                 "1002,李四,建设路,3号,,CD,,,,,")
    result = app.test_cli_runner().invoke(args=["customers", "import", path])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated" in result.output
    session.expire_all()
    account = account_by_number(session, "1001")
    assert account.landmark == "人民医院对面" and account.balance_due == Decimal("12.50")
    assert sorted(p.e164 for p in account.phones) == ["+8613800138000", "+8613912345678"]
    assert [a.account_number for a in accounts_by_phone(session, "13800138000")] == ["1001"]


def test_bad_rows_import_nothing_and_name_line_and_field(app, session, tmp_path):
    make_area(session, code="CD")
    session.commit()
    path = write(tmp_path,
                 "1001,王建国,解放东路,12号,,CD,13800138000,M1,1.00,2026-10-05,8.00",
                 "1002,李四,建设路,3号,,NOPE,,,,,",
                 "1003,赵六,建设路,3号,,CD,not-a-phone,,,,",
                 "1004,孙七,,3号,,CD,,,,,")
    result = app.test_cli_runner().invoke(args=["customers", "import", path])
    assert result.exit_code != 0
    assert "line 3: area_code: no area 'NOPE'" in result.output
    assert "line 4: phones:" in result.output
    assert "line 5: street: required" in result.output
    assert "nothing was imported" in result.output
    assert count(session, CustomerAccount) == 0
    assert count(session, CustomerPhone) == 0


def test_reimport_updates_by_account_number_and_replaces_phones(app, session, tmp_path):
    make_area(session, code="CD")
    make_area(session, code="CX")
    session.commit()
    runner = app.test_cli_runner()
    first = write(tmp_path, "1001,王建国,解放东路,12号,,CD,13800138000;13912345678,M1,10.00,,",
                  name="a.csv")
    assert runner.invoke(args=["customers", "import", first]).exit_code == 0
    second = write(tmp_path,
                   "1001,王建国,西湖路,8号,西湖公园旁,CX,13912345678;13700000001,M9,0,2026-11-01,45.20",
                   "1002,李四,建设路,3号,,CD,,,,,", name="b.csv")
    result = runner.invoke(args=["customers", "import", second])
    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated" in result.output
    session.expire_all()
    account = account_by_number(session, "1001")
    assert (account.street, account.area.code, account.meter_number) == ("西湖路", "CX", "M9")
    assert account.balance_due == Decimal("0.00")
    assert account.last_bill_amount == Decimal("45.20")
    assert sorted(p.e164 for p in account.phones) == ["+8613700000001", "+8613912345678"]
    assert accounts_by_phone(session, "13800138000") == []
    assert count(session, CustomerAccount) == 2


def test_a_bad_reimport_leaves_existing_accounts_untouched(app, session, tmp_path):
    make_area(session, code="CD")
    session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["customers", "import", write(
        tmp_path, "1001,王建国,解放东路,12号,,CD,13800138000,,5.00,,", name="a.csv")]).exit_code == 0
    bad = write(tmp_path, "1001,王建国,新地址,1号,,CD,13800138000,,0,,",
                "1002,李四,建设路,3号,,CD,,,,2026-02-30,", name="b.csv")
    result = runner.invoke(args=["customers", "import", bad])
    assert result.exit_code != 0
    assert "line 3: last_bill_date:" in result.output
    session.expire_all()
    account = account_by_number(session, "1001")
    assert account.street == "解放东路" and account.balance_due == Decimal("5.00")
    assert count(session, CustomerAccount) == 1


def test_non_utf8_file_is_refused(app, session, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "\n1001,王建国,解放东路,12号,,CD,,,,,\n").encode("gbk"))
    result = app.test_cli_runner().invoke(args=["customers", "import", str(path)])
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert count(session, CustomerAccount) == 0


def test_import_help_documents_the_columns(app):
    result = app.test_cli_runner().invoke(args=["customers", "import", "--help"])
    for column in COLUMNS:
        assert column in result.output
