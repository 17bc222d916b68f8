from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from hotline.auth.services import create_token, create_user, revoke_token
from hotline.clock import utcnow
from hotline.errors import DomainError
from hotline.extensions import db

users_cli = AppGroup("users", help="Console users.")
tokens_cli = AppGroup("tokens", help="API bearer tokens.")


def fail(err: DomainError) -> None:
    db.session.rollback()
    detail = "; ".join(f"{k}: {v}" for k, v in err.fields.items())
    raise click.ClickException(f"{err.message}" + (f" ({detail})" if detail else ""))


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="agent | staff | supervisor | admin")
@click.option("--department", "department_code", help="department code (staff)")
@click.option("--password", help="omit to generate one")
@click.option("--name", "display_name", default="")
@click.option("--locale", default="zh_CN", type=click.Choice(["zh_CN", "en"]))
def users_create(username, role, department_code, password, display_name, locale):
    """Create a console user."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        create_user(db.session, username=username, role=role, password=password,
                    department_code=department_code, display_name=display_name,
                    locale=locale, now=utcnow())
    except DomainError as err:
        fail(err)
    db.session.commit()
    click.echo(f"created {role} {username}")
    if generated:
        click.echo(f"password: {password}")


@tokens_cli.command("create")
@click.argument("username")
@click.option("--name", default="", help="what the token is for")
def tokens_create(username, name):
    """Create an API token; the token is printed alone on the last line."""
    try:
        token = create_token(db.session, username, now=utcnow(), name=name)
    except DomainError as err:
        fail(err)
    db.session.commit()
    click.echo(f"token for {username} (shown once, store it now):")
    click.echo(token)


@tokens_cli.command("revoke")
@click.argument("token_or_prefix")
def tokens_revoke(token_or_prefix):
    """Revoke a token by its text or its prefix."""
    try:
        row = revoke_token(db.session, token_or_prefix, now=utcnow())
    except DomainError as err:
        fail(err)
    db.session.commit()
    click.echo(f"revoked token {row.prefix} of {row.user.username}")
