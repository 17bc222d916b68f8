"""Alembic, configured from the app. Each package owns a branch of migrations in
`<package>/migrations/versions`; `upgrade` runs every branch to its head."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from hotline.registry import registry

HERE = Path(__file__).parent


def version_locations(package_dirs: list[Path]) -> list[str]:
    return [str(path / "migrations" / "versions") for path in package_dirs
            if (path / "migrations" / "versions").is_dir()]


def alembic_config(app: Flask) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("version_locations", " ".join(
        version_locations(list(registry(app).packages.values()))))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["flask_app"] = app
    return cfg


def upgrade(app: Flask, revision: str = "heads") -> None:
    with app.app_context():
        command.upgrade(alembic_config(app), revision)


db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date (empty or existing database)."""
    command.upgrade(alembic_config(current_app._get_current_object()), revision)
    click.echo("database is up to date")


@db_cli.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revision of each branch in the database."""
    command.current(alembic_config(current_app._get_current_object()), verbose=False)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--package", required=True, help="the package whose branch gets the migration")
@click.option("--rev-id", required=True, help="e.g. wo_0002: package prefix and a sequence")
@click.option("--depends-on", default=None, help="first migration of a branch: e.g. core_0002")
@click.option("--autogenerate/--empty", default=True)
@with_appcontext
def db_revision(message: str, package: str, rev_id: str, depends_on: str | None,
                autogenerate: bool) -> None:
    """Write a new migration on a package's branch (developers). The database must be at
    the current heads first (`hotline db upgrade`)."""
    app = current_app._get_current_object()
    packages = registry(app).packages
    if package not in packages:
        raise click.BadParameter(f"one of {', '.join(packages)}", param_hint="--package")
    path = packages[package] / "migrations" / "versions"
    path.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(app)
    new_branch = not any(path.glob("*.py"))
    if new_branch:
        command.revision(cfg, message=message, autogenerate=autogenerate, head="base",
                         branch_label=package, version_path=str(path), rev_id=rev_id,
                         depends_on=depends_on)
    else:
        command.revision(cfg, message=message, autogenerate=autogenerate,
                         head=f"{package}@head", version_path=str(path), rev_id=rev_id)
