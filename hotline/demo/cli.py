"""`hotline demo load`: the demo utility plus every package's registered demo loader."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from hotline.clock import utcnow
from hotline.demo.core import DemoReport, load_core
from hotline.extensions import db
from hotline.registry import registry

demo_cli = AppGroup("demo", help="Demo data.")


def load_demo(app, session, now) -> DemoReport:
    """Core demo data, then each registered loader in order; the caller commits."""
    report = load_core(session, now, ZoneInfo(app.config["HOTLINE_TIMEZONE"]))
    for loader in registry(app).demo_loaders:
        loader.fn(session, now)
        session.flush()
    return report


@demo_cli.command("load")
@click.option("--force", is_flag=True, help="allow it in production mode")
def demo_load(force: bool):
    """Load the demo utility (idempotent) and print the demo logins."""
    app = current_app._get_current_object()
    if app.config.get("HOTLINE_ENV") == "production" and not force:
        raise click.ClickException("refusing to load demo logins into a production install "
                                   "(use --force if you really mean it)")
    report = load_demo(app, db.session, utcnow())
    db.session.commit()
    made = ", ".join(f"{n} {what}" for what, n in report.created.items()) or "nothing new"
    click.echo(f"demo data loaded ({made})")
    click.echo("")
    click.echo(f"{'login':<12} {'role':<11} {'department':<11} password")
    for username, role, department, password in report.logins:
        click.echo(f"{username:<12} {role:<11} {department or '-':<11} {password}")
    click.echo("(department staff also log in as e.g. mnt-cd-1, bil-cx-2, wq-lab-1 "
               "with the same password)")
