"""`hotline db backup PATH` and `hotline db restore PATH`.

SQLite: SQLite's online backup API copies the database page by page inside one read
transaction, so the copy is the database as it was at one instant, every committed row in
it, while the web and clock processes keep writing (a plain copy of the file misses what
is still in the `-wal` file: 114 of 716 orders in the audit). The copy is checked
(`PRAGMA integrity_check`) before it takes the target's name.

PostgreSQL: `pg_dump` / `pg_restore` do this better than the app could; the commands print
how to run them (README, Backups).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


class BackupError(click.ClickException):
    pass


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(parsed.database)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _check(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path} is not a SQLite database: {err}") from None
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a Hotline database (no alembic_version table)")


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy the live database at `source` to `target` (which must not exist)."""
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file name")
    if not source.exists():
        raise BackupError(f"no database at {source}")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src, dst = _connect(source), sqlite3.connect(str(partial))
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
    finally:
        dst.close()
        src.close()
    _check(partial)
    os.replace(partial, target)


def restore_sqlite(backup: Path, target: Path) -> None:
    """Replace every page of the database at `target` with the backup's. Other processes
    wait for the copy (busy timeout) and then see the restored data."""
    if not backup.exists():
        raise BackupError(f"no backup at {backup}")
    _check(backup)
    src, dst = sqlite3.connect(f"file:{backup}?mode=ro", uri=True), _connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


PG_DUMP = """PostgreSQL databases are backed up with pg_dump, which takes a consistent snapshot
while the app keeps running:

    pg_dump --format=custom --file {path} "$DATABASE_URL"

Restore into an empty database (stop web and clock first), then run `hotline db upgrade`:

    pg_restore --clean --if-exists --no-owner --dbname "$DATABASE_URL" {path}
"""


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the database to PATH while the app keeps running (SQLite); for PostgreSQL,
    print how to use pg_dump."""
    source = sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if source is None:
        click.echo(PG_DUMP.format(path=path), err=True)
        raise SystemExit(2)
    backup_sqlite(source, path)
    click.echo(f"backed up {source} to {path} ({path.stat().st_size // 1024} KiB)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's contents with the backup at PATH (SQLite); for PostgreSQL,
    print how to use pg_restore. Then run `hotline db upgrade`."""
    target = sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if target is None:
        click.echo(PG_DUMP.format(path=path), err=True)
        raise SystemExit(2)
    if not yes:
        click.confirm(f"Replace everything in {target} with {path}?", abort=True)
    restore_sqlite(path, target)
    click.echo(f"restored {target} from {path}; now run `hotline db upgrade`")
