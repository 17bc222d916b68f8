"""Every exported cell is written through `safe_cell`: no text a spreadsheet would run as a
formula (CSV/XLSX injection)."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from hotline.web.export_cells import csv_cell, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+86 139", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  '=HYPERLINK("http://evil","x")'])
def test_text_that_looks_like_a_formula_is_escaped(text):
    assert safe_cell(text) == "'" + text
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["城东区供水抢修所", "R14", "98.0%", "", " =not first"])
def test_ordinary_text_is_unchanged(value):
    assert safe_cell(value) == value


def test_numbers_and_dates_stay_typed_for_xlsx_but_csv_is_text():
    moment = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    for value in (3, 0.75, Decimal("1.5"), -2, moment, date(2026, 11, 24), None):
        assert safe_cell(value) == value
    assert safe_cell(True) == "True"  # not a number in a report
    assert csv_cell(-2) == "'-2"  # a CSV field is text: even a negative number is escaped
    assert csv_cell(0.75) == "0.75" and csv_cell(None) == ""
    assert csv_cell(moment) == "2026-11-24T02:00:00+00:00"
