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


def holder_matches(phones, *, caller: str | None = None, last_digits: str = "") -> bool:
    """R27: whether a caller is the holder of an order or account whose registered numbers
    are `phones` (E.164): the calling number is one of them, or the caller keyed the last
    four digits of one of them. Only this yes/no leaves the owner of the numbers."""
    numbers = [p for p in phones if p]
    e164 = try_e164(caller) if caller else None
    if e164 is not None and e164 in numbers:
        return True
    digits = (last_digits or "").strip()
    return len(digits) == 4 and digits.isdigit() and any(p.endswith(digits) for p in numbers)
