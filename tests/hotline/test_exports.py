"""Export cells cannot run code in a spreadsheet (CSV formula injection)."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from hotline.exports import csv_text, safe_cell


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=", "-", "+86 138 0013 8000",
])
def test_formula_starts_are_defused(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value, cell", [
    ("+8613800138000", "+8613800138000"), ("-12.50", "-12.50"), (Decimal("-3.10"), "-3.10"),
    (42, "42"), ("漏水 = 很严重", "漏水 = 很严重"), ("a=b", "a=b"), (None, ""), ("", ""),
    (datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc), "2026-11-24T02:00:00+00:00"),
])
def test_ordinary_values_are_kept(value, cell):
    assert safe_cell(value) == cell


def test_csv_text_defuses_every_cell_and_starts_with_a_bom():
    text = csv_text(["number", "=header"], [["WO-1", "=1+1"], ["WO-2", "@x"]])
    assert text.startswith("\ufeff")
    assert text.splitlines()[1:] == ["WO-1,'=1+1", "WO-2,'@x"]
    assert text.splitlines()[0] == "\ufeffnumber,'=header"
