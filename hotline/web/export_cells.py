"""Every cell written to a CSV or XLSX export goes through `safe_cell`: text that a
spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage return)
gets a leading apostrophe, so a caller's words never run as a formula (CSV injection)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | datetime | date | None


def safe_cell(value: Cell) -> Cell:
    """Numbers, dates and None pass unchanged (an XLSX numeric or date cell is never a
    formula); text starting like a formula is prefixed with `'`; anything else becomes
    text."""
    if value is None or isinstance(value, (int, float, Decimal, datetime, date)) and \
            not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Cell) -> str:
    """A CSV field is text whatever it holds, so even a negative number is neutralised."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.isoformat()
    return safe_cell(str(value))  # type: ignore[return-value]
