"""Customer CSV parsing (pure, R30): every bad row is reported as `line N: field: problem`."""

from datetime import date
from decimal import Decimal

from hotline.directory.customer_csv import COLUMNS, parse_csv

HEADER = ",".join(COLUMNS)
GOOD = "1001,王建国,解放东路,12号,人民医院对面,CD,13800138000;010-62345678,M1,12.50,2026-10-05,88.00"


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_good_row_is_parsed_and_phones_normalised():
    result = parse_csv(csv_of(GOOD), {"CD"})
    assert result.ok, result.errors
    (row,) = result.rows
    assert row.line == 2
    assert row.phones == ("+8613800138000", "+861062345678")
    assert row.balance_due == Decimal("12.50")
    assert row.last_bill_date == date(2026, 10, 5)
    assert row.last_bill_amount == Decimal("88.00")


def test_optional_columns_may_be_empty():
    result = parse_csv(csv_of("1002,李四,建设路,3号,,CD,,,,,"), {"CD"})
    assert result.ok, result.errors
    row = result.rows[0]
    assert row.phones == () and row.balance_due == Decimal("0.00")
    assert row.last_bill_date is None and row.last_bill_amount is None


def test_each_kind_of_bad_row_is_reported_with_line_and_field():
    text = csv_of(
        GOOD,
        ",李四,建设路,3号,,CD,,,,,",                            # line 3: account missing
        "1003,,建设路,3号,,CD,,,,,",                             # line 4: name missing
        "1004,赵六,建设路,3号,,XX,,,,,",                         # line 5: unknown area
        "1005,孙七,建设路,3号,,CD,12345,,,,",                    # line 6: bad phone
        "1006,周八,建设路,3号,,CD,,,abc,,",                      # line 7: bad decimal
        "1007,吴九,建设路,3号,,CD,,,,2026-13-01,",               # line 8: bad date
        "1001,郑十,建设路,3号,,CD,,,,,",                         # line 9: duplicate account
        "1008,钱一,建设路,3号,,CD,,,1.234,,",                    # line 10: 3 decimals
        "1009,冯二,建设路,3号,,CD,,,,26/10/2026,",               # line 11: wrong date form
    )
    result = parse_csv(text, {"CD"})
    problems = [str(e) for e in result.errors]
    assert problems == [
        "line 3: account_number: required",
        "line 4: name: required",
        "line 5: area_code: no area 'XX'",
        "line 6: phones: not a valid phone number: 12345",
        "line 7: balance_due: not a number: 'abc'",
        "line 8: last_bill_date: not a date in YYYY-MM-DD form: '2026-13-01'",
        "line 9: account_number: duplicate of line 2",
        "line 10: balance_due: at most 2 decimal places",
        "line 11: last_bill_date: not a date in YYYY-MM-DD form: '26/10/2026'",
    ]
    assert not result.ok


def test_header_problems_and_ragged_rows():
    missing = parse_csv("account_number,name\n1,王\n", {"CD"})
    assert {e.field for e in missing.errors} == {"street", "house_number", "area_code"}
    assert all(e.line == 1 for e in missing.errors)
    unknown = parse_csv(HEADER + ",colour\n", {"CD"})
    assert [str(e) for e in unknown.errors] == ["line 1: colour: unknown column"]
    ragged = parse_csv(csv_of(GOOD + ",extra"), {"CD"})
    assert [str(e) for e in ragged.errors] == ["line 2: row: more cells than header columns"]


def test_empty_file_and_blank_lines():
    assert [str(e) for e in parse_csv(HEADER + "\n", {"CD"}).errors] == [
        "line 1: file: no customer rows"]
    result = parse_csv(csv_of(GOOD, ",,,,,,,,,,"), {"CD"})
    assert result.ok and len(result.rows) == 1


def test_quoted_multiline_cells_keep_file_line_numbers():
    text = csv_of('1010,"王\n五",建设路,3号,,XX,,,,,', "1011,赵六,建设路,3号,,XX,,,,,")
    result = parse_csv(text, {"CD"})
    assert [str(e) for e in result.errors] == ["line 2: area_code: no area 'XX'",
                                               "line 4: area_code: no area 'XX'"]
