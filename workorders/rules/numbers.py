"""Work-order numbers (pure): WO-YYYYMMDD-NNNN, the date in the utility's local zone."""

from __future__ import annotations

import re
from datetime import date

PREFIX = "WO-"
_DIGITS = re.compile(r"^\d{12,}$")


def format_number(day: date, sequence: int) -> str:
    return f"{PREFIX}{day:%Y%m%d}-{sequence:04d}"


def normalise(text: str | None) -> str | None:
    """Accept what a caller keys in or an agent types: digits with or without "WO-" and
    dashes/spaces. Returns the canonical number, or None when it cannot be one."""
    raw = (text or "").strip().upper()
    if raw.startswith("WO"):
        raw = raw[2:]
    digits = re.sub(r"[\s\-_]", "", raw)
    if not _DIGITS.match(digits):
        return None
    return f"{PREFIX}{digits[:8]}-{digits[8:]}"
