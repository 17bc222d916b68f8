"""Customer-account CSV files (pure): parse and validate every row before anything is written.

Columns (header row required, UTF-8, comma-separated; order does not matter):

    account_number   required, unique in the file, up to 32 characters
    name             required
    street           required
    house_number     required
    landmark         optional (nearby landmark, R4)
    area_code        required, an existing area's code
    phones           optional, several separated by ';' (normalised to E.164, region CN)
    meter_number     optional
    balance_due      optional decimal, default 0 (e.g. 125.40)
    last_bill_date   optional, YYYY-MM-DD
    last_bill_amount optional decimal
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from hotline.directory.phones import DEFAULT_REGION, InvalidPhone, to_e164

COLUMNS = ("account_number", "name", "street", "house_number", "landmark", "area_code",
           "phones", "meter_number", "balance_due", "last_bill_date", "last_bill_amount")
REQUIRED = ("account_number", "name", "street", "house_number", "area_code")
MAX_LENGTHS = {"account_number": 32, "name": 100, "street": 200, "house_number": 50,
               "landmark": 200, "meter_number": 50}
MAX_AMOUNT = Decimal("9999999999.99")  # Numeric(12, 2)


@dataclass(frozen=True)
class CustomerRow:
    line: int
    account_number: str
    name: str
    street: str
    house_number: str
    landmark: str
    area_code: str
    phones: tuple[str, ...]
    meter_number: str
    balance_due: Decimal
    last_bill_date: date | None
    last_bill_amount: Decimal | None


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.problem}"


@dataclass
class ParseResult:
    rows: list[CustomerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decimal(text: str, line: int, name: str, errors: list[RowError]) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        errors.append(RowError(line, name, f"not a number: {text!r}"))
        return None
    if not value.is_finite():
        errors.append(RowError(line, name, f"not a number: {text!r}"))
        return None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(RowError(line, name, "at most 2 decimal places"))
        return None
    if abs(value) > MAX_AMOUNT:
        errors.append(RowError(line, name, "amount too large"))
        return None
    return value.quantize(Decimal("0.01"))


def _date(text: str, line: int, name: str, errors: list[RowError]) -> date | None:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        errors.append(RowError(line, name, f"not a date in YYYY-MM-DD form: {text!r}"))
        return None


def _phones(text: str, line: int, region: str, errors: list[RowError]) -> tuple[str, ...]:
    numbers: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            e164 = to_e164(part, region)
        except InvalidPhone as exc:
            errors.append(RowError(line, "phones", str(exc)))
            continue
        if e164 not in numbers:
            numbers.append(e164)
    return tuple(numbers)


def parse_rows(records: Iterable[tuple[int, dict[str, str]]], area_codes: Collection[str],
               region: str = DEFAULT_REGION) -> ParseResult:
    """Validate (line, record) pairs; collect every problem of every row."""
    result = ParseResult()
    first_line: dict[str, int] = {}
    for line, raw in records:
        values = {name: (raw.get(name) or "").strip() for name in COLUMNS}
        errors: list[RowError] = []
        for name in REQUIRED:
            if not values[name]:
                errors.append(RowError(line, name, "required"))
        for name, limit in MAX_LENGTHS.items():
            if len(values[name]) > limit:
                errors.append(RowError(line, name, f"longer than {limit} characters"))
        number = values["account_number"]
        if number:
            if number in first_line:
                errors.append(RowError(line, "account_number",
                                       f"duplicate of line {first_line[number]}"))
            else:
                first_line[number] = line
        if values["area_code"] and values["area_code"] not in area_codes:
            errors.append(RowError(line, "area_code", f"no area {values['area_code']!r}"))
        phones = _phones(values["phones"], line, region, errors)
        balance = (_decimal(values["balance_due"], line, "balance_due", errors)
                   if values["balance_due"] else Decimal("0.00"))
        bill_date = (_date(values["last_bill_date"], line, "last_bill_date", errors)
                     if values["last_bill_date"] else None)
        bill_amount = (_decimal(values["last_bill_amount"], line, "last_bill_amount", errors)
                       if values["last_bill_amount"] else None)
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(CustomerRow(
            line=line, account_number=number, name=values["name"], street=values["street"],
            house_number=values["house_number"], landmark=values["landmark"],
            area_code=values["area_code"], phones=phones, meter_number=values["meter_number"],
            balance_due=balance or Decimal("0.00"), last_bill_date=bill_date,
            last_bill_amount=bill_amount))
    return result


def parse_csv(text: str, area_codes: Collection[str], region: str = DEFAULT_REGION) -> ParseResult:
    """Parse a whole CSV file's text. Line numbers are the file's (the header is line 1)."""
    if text.startswith("\ufeff"):  # Excel writes a BOM
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing or unknown:
        result = ParseResult()
        for name in missing:
            result.errors.append(RowError(1, name, "column missing from the header"))
        for name in unknown:
            result.errors.append(RowError(1, name, "unknown column"))
        return result
    reader.fieldnames = header

    def records():
        start = reader.line_num + 1  # a quoted cell may span lines: report the first
        for record in reader:
            if None in record:  # more cells than header columns
                yield start, {**record, "__extra__": "x"}
            elif any((v or "").strip() for v in record.values()):
                yield start, record
            start = reader.line_num + 1

    result = ParseResult()
    rows = list(records())
    for line, record in rows:
        if "__extra__" in record:
            result.errors.append(RowError(line, "row", "more cells than header columns"))
    good = [(line, r) for line, r in rows if "__extra__" not in r]
    parsed = parse_rows(good, area_codes, region)
    result.rows = parsed.rows
    result.errors = sorted(result.errors + parsed.errors, key=lambda e: e.line)
    if not rows and not result.errors:
        result.errors.append(RowError(1, "file", "no customer rows"))
    return result
