"""`hotline customers import FILE.csv`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hotline.clock import utcnow
from hotline.directory.customer_csv import COLUMNS
from hotline.directory.importer import import_customers_csv
from hotline.errors import ValidationFailed
from hotline.extensions import db

customers_cli = AppGroup("customers", help="Customer accounts (one household, one file).")

IMPORT_HELP = f"""Import customer accounts from a UTF-8 CSV file with a header row.

\b
Columns: {", ".join(COLUMNS)}
  required: account_number, name, street, house_number, area_code (an existing area)
  phones: several separated by ';' (normalised to E.164, region CN)
  balance_due, last_bill_amount: decimals such as 125.40
  last_bill_date: YYYY-MM-DD

Every row is checked first; if any row is bad, each problem is printed as
`line N: field: problem` and nothing is imported. Re-importing updates existing
accounts by account number (their phones are replaced by the file's).
"""


@customers_cli.command("import", help=IMPORT_HELP)
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
def customers_import(csv_file):
    try:
        text = csv_file.read()
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})")
    try:
        report = import_customers_csv(db.session, text, now=utcnow())
    except ValidationFailed as err:
        db.session.rollback()
        for line in err.details or []:
            click.echo(line, err=True)
        raise click.ClickException(err.message)
    db.session.commit()
    click.echo(f"imported: {report.created} created, {report.updated} updated")
