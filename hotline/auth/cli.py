from __future__ import annotations

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from hotline.auth.services import (DEFAULT_TOKEN_DAYS, create_token, create_user, list_tokens,
                                   revoke_token, rotate_token)
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
@click.option("--days", default=DEFAULT_TOKEN_DAYS, show_default=True, type=int,
              help="days until the token expires")
def tokens_create(username, name, days):
    """Create an API token; the token is printed alone on the last line."""
    try:
        token = create_token(db.session, username, now=utcnow(), name=name, days=days)
    except DomainError as err:
        fail(err)
    db.session.commit()
    click.echo(f"token for {username}, expires in {days} days (shown once, store it now):")
    click.echo(token)


@tokens_cli.command("rotate")
@click.argument("token_or_prefix")
@click.option("--days", default=DEFAULT_TOKEN_DAYS, show_default=True, type=int,
              help="days until the new token expires")
@click.option("--overlap-hours", default=24.0, show_default=True, type=float,
              help="hours the old token keeps working (0: revoke it now)")
def tokens_rotate(token_or_prefix, days, overlap_hours):
    """Replace a token by a new one for the same user; the new token is printed alone on
    the last line."""
    now = utcnow()
    try:
        old, token = rotate_token(db.session, token_or_prefix, now=now, days=days,
                                  overlap=timedelta(hours=overlap_hours))
    except DomainError as err:
        fail(err)
    db.session.commit()
    ends = "now" if old.revoked_at else f"at {_local(old.expires_at)}"
    click.echo(f"token {old.prefix} of {old.user.username} stops working {ends}; "
               f"its successor expires in {days} days (shown once, store it now):")
    click.echo(token)


@tokens_cli.command("list")
@click.argument("username", required=False)
def tokens_list(username):
    """Tokens (prefix, user, name, expiry, state); never their secrets."""
    now = utcnow()
    for row in list_tokens(db.session, username):
        state = ("revoked" if row.revoked_at else "expired" if row.expires_at <= now
                 else "active")
        click.echo(f"{row.prefix}  {row.user.username:<16} {state:<8} "
                   f"expires {_local(row.expires_at)}  {row.name}")


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


def _local(moment) -> str:
    zone = ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
