"""Core wiring: login loading, blueprints, CLI groups and console entries of `hotline/`."""

from __future__ import annotations

from flask import Flask

from hotline.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from hotline.auth import models as auth_models
    from hotline.auth.cli import tokens_cli, users_cli
    from hotline.auth.views import bp as auth_bp
    from hotline.directory import models as directory_models  # noqa: F401
    from hotline.migrate import db_cli
    from hotline.notifications import models as notification_models  # noqa: F401
    from hotline.outages import models as outage_models  # noqa: F401
    from hotline.telephony import models as telephony_models  # noqa: F401
    from hotline.telephony import plugin as telephony_plugin
    from hotline.telephony.cli import telephony_cli
    from hotline.web import formatting
    from hotline.web.views import bp as web_bp
    from hotline import api
    from hotline.admin.views import bp as admin_bp
    from hotline.demo.cli import demo_cli
    from hotline.directory.api import bp as customers_api
    from hotline.directory.cli import customers_cli
    from hotline.directory.views import bp as customers_bp
    from hotline.outages.api import bp as outages_api
    from hotline.outages.views import bp as outages_bp
    from hotline.web import labels, panels

    @login_manager.user_loader
    def _load_user(user_id: str):
        return db.session.get(auth_models.User, int(user_id))

    telephony_plugin.init_app(app)
    formatting.init_app(app)
    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp)
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(_i18n_cli())
    for blueprint in (customers_bp, outages_bp, admin_bp):
        app.register_blueprint(blueprint)
    api.register_blueprint(customers_api)
    api.register_blueprint(outages_api)
    app.cli.add_command(customers_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(telephony_cli)
    labels.init_app(app)
    panels.init_app(app)


def _i18n_cli():
    from pathlib import Path

    import click
    from flask.cli import AppGroup

    from hotline.app import PACKAGES
    from hotline.i18n import update_catalog

    group = AppGroup("i18n", help="Translation catalogs (developers).")

    @group.command("update")
    def update():
        """Extract messages of every package into its zh_CN catalog; list what is missing."""
        import importlib

        missing_total = 0
        for name in PACKAGES:
            package_dir = Path(importlib.import_module(name).__file__).parent
            missing = update_catalog(package_dir)
            missing_total += len(missing)
            for message in missing:
                click.echo(f"{name}: untranslated: {message}")
        click.echo(f"{missing_total} untranslated")

    return group
