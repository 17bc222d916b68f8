"""Typed cells for the report exports (XLSX keeps numbers and dates as such): text that a
spreadsheet would read as a formula gets a leading apostrophe, so a caller's words never run
as a formula (CSV injection). The formula starts are `hotline.exports`' (the order list's
CSV), one list for every export."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hotline.exports import FORMULA_STARTS

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
