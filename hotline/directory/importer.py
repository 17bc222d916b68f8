"""Customer import (R30): validate a whole CSV file, then write all of it or none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.directory.customer_csv import CustomerRow, parse_csv
from hotline.directory.models import Area, CustomerAccount, CustomerPhone
from hotline.errors import ValidationFailed

CHUNK = 500


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def import_customers_csv(session: Session, text: str, *, now: datetime,
                         region: str = "CN") -> ImportReport:
    """Import a customer CSV. Any bad row refuses the whole file (ValidationFailed whose
    `details` lists every problem as `line N: field: problem`)."""
    areas = {a.code: a.id for a in session.scalars(select(Area))}
    parsed = parse_csv(text, areas.keys(), region)
    if not parsed.ok:
        raise ValidationFailed(
            f"{len(parsed.errors)} problem(s) found; nothing was imported",
            details=[str(e) for e in parsed.errors])
    return write_rows(session, parsed.rows, areas, now=now)


def write_rows(session: Session, rows: list[CustomerRow], area_ids: dict[str, int], *,
               now: datetime) -> ImportReport:
    created = updated = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        existing = {
            a.account_number: a for a in session.scalars(
                select(CustomerAccount)
                .where(CustomerAccount.account_number.in_([r.account_number for r in chunk]))
                .options(selectinload(CustomerAccount.phones)))
        }
        for row in chunk:
            account = existing.get(row.account_number)
            if account is None:
                account = CustomerAccount(account_number=row.account_number, created_at=now)
                session.add(account)
                created += 1
            else:
                updated += 1
            account.name = row.name
            account.street = row.street
            account.house_number = row.house_number
            account.landmark = row.landmark
            account.area_id = area_ids[row.area_code]
            account.meter_number = row.meter_number
            account.balance_due = row.balance_due
            account.last_bill_date = row.last_bill_date
            account.last_bill_amount = row.last_bill_amount
            account.updated_at = now
            _replace_phones(account, row.phones)
        session.flush()
    return ImportReport(created=created, updated=updated)


def _replace_phones(account: CustomerAccount, numbers: tuple[str, ...]) -> None:
    # Keep rows whose number stays, so the (account, number) unique key never collides
    # with a row that is about to be deleted in the same flush.
    keep = [p for p in account.phones if p.e164 in numbers]
    kept = {p.e164 for p in keep}
    account.phones = keep + [CustomerPhone(e164=n) for n in numbers if n not in kept]
