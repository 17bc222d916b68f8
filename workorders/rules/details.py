"""R4: every order records the caller's name, phone and address (street, house number,
nearby landmark) and the area. A landmark may be left out when a customer account gives the
address (one household, one file, R30). Pure: works on any object with these attributes (a
new order's input or a stored order)."""

from __future__ import annotations

# In `missing_details` of a voicemail order: "listen and complete" — an agent listens to
# the recording and fills in the description (a machine's draft does not count).
LISTEN = "description"
R4_FIELDS = ("contact_name", "contact_phone", "street", "house_number", "area_id")
# What an agent may correct on an existing order (`update_details`): also the work location
# (R27) and the household chosen among several sharing the caller's number (R30).
DETAIL_FIELDS = ("contact_name", "contact_phone", "street", "house_number", "landmark",
                 "area_id", "description", "work_street", "work_house_number",
                 "work_landmark", "account_id")


def present(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def missing_details(order: object, *, has_account: bool) -> list[str]:
    """The R4 fields `order` lacks, in a fixed order; "landmark" only without an account."""
    missing = [name for name in R4_FIELDS if not present(getattr(order, name))]
    if not has_account and not present(getattr(order, "landmark")):
        missing.append("landmark")
    return missing


def needs_listening(missing: str | list[str]) -> bool:
    names = missing.split(",") if isinstance(missing, str) else missing
    return LISTEN in names


def with_listen(missing: str | list[str]) -> list[str]:
    names = [m for m in (missing.split(",") if isinstance(missing, str) else missing) if m]
    return names if LISTEN in names else names + [LISTEN]
