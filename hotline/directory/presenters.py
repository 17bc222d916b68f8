"""What a user may see of a customer account (R27: no data without need)."""

from __future__ import annotations

from hotline.directory.models import CustomerAccount
from hotline.directory.phones import masked
from hotline.directory.services import sees_full_phones


def phones_for(user, account: CustomerAccount) -> list[str]:
    full = sees_full_phones(user)
    return [p.e164 if full else masked(p.e164) for p in account.phones]


def customer_dict(user, account: CustomerAccount) -> dict:
    return {
        "account_number": account.account_number, "name": account.name,
        "street": account.street, "house_number": account.house_number,
        "landmark": account.landmark, "address": account.address, "area": account.area,
        "phones": phones_for(user, account), "meter_number": account.meter_number,
        "balance_due": account.balance_due, "last_bill_date": account.last_bill_date,
        "last_bill_amount": account.last_bill_amount,
    }
