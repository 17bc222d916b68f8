"""Spreadsheet exports that cannot run code. A cell whose text starts with `=`, `+`, `-`, `@`,
a tab or a carriage return is a formula to Excel and LibreOffice (CSV formula injection: a
caller can plant one in a voicemail transcription that becomes an order's description), so
such text gets a leading `'`, which spreadsheets show as text. A plain number (`-12.50`, an
E.164 phone `+8613800138000`) cannot run anything and is kept as it is.

Every CSV or XLSX writer of the project writes its cells through `safe_cell`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(text: str) -> str:
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_cell(value: Any) -> str:
    """The text of one cell: '' for None, ISO 8601 for dates and times, formulas defused."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


def csv_line(values: Sequence[Any]) -> str:
    """One CSV line of safe cells (for exports streamed a chunk at a time)."""
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(value) for value in values])
    return out.getvalue()


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """UTF-8 CSV with a byte-order mark (Excel then reads Chinese text correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
