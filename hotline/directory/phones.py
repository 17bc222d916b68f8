"""Phone-number normalisation (pure): everything is stored and looked up as E.164."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "CN"


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("phone number is empty")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {text}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"not a valid phone number: {text}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 if the text is a valid number, else None (for caller IDs like 'anonymous')."""
    try:
        return to_e164(raw or "", region)
    except InvalidPhone:
        return None


def masked(e164: str) -> str:
    """What a log line or a staff member without a need sees: +86138****5678."""
    if len(e164) < 8:
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - 10) + e164[-4:]
