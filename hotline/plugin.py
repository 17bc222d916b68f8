"""Core wiring: login loading, blueprints, CLI groups and console entries of `hotline/`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from hotline import api
from hotline.admin.views import bp as admin_bp
from hotline.auth import models as auth_models
from hotline.auth.cli import tokens_cli, users_cli
from hotline.auth.views import bp as auth_bp
from hotline.demo.cli import demo_cli
from hotline.directory import models as directory_models  # noqa: F401 (tables)
from hotline.directory.api import bp as customers_api
from hotline.directory.cli import customers_cli
from hotline.directory.views import bp as customers_bp
from hotline.extensions import db, login_manager
from hotline.i18n import update_catalog
from hotline.knowledge import plugin as knowledge_plugin
from hotline.migrate import db_cli
from hotline.notifications import models as notification_models  # noqa: F401 (tables)
from hotline.outages import models as outage_models  # noqa: F401 (tables)
from hotline.outages.api import bp as outages_api
from hotline.outages.views import bp as outages_bp
from hotline.outages.voice import bp as outage_voice_bp
from hotline.registry import registry
from hotline.telephony import models as telephony_models  # noqa: F401 (tables)
from hotline.telephony import plugin as telephony_plugin
from hotline.telephony.cli import telephony_cli
from hotline.web import formatting, labels, panels
from hotline.web.views import bp as web_bp


def init_app(app: Flask) -> None:
    @login_manager.user_loader
    def _load_user(user_id: str):
        return db.session.get(auth_models.User, int(user_id))

    telephony_plugin.init_app(app)
    formatting.init_app(app)
    for blueprint in (web_bp, auth_bp, customers_bp, outages_bp, outage_voice_bp, admin_bp):
        app.register_blueprint(blueprint)
    api.register_blueprint(customers_api)
    api.register_blueprint(outages_api)
    for group in (db_cli, users_cli, tokens_cli, i18n_cli, customers_cli, demo_cli,
                  telephony_cli):
        app.cli.add_command(group)
    labels.init_app(app)
    panels.init_app(app)
    knowledge_plugin.init_app(app)  # after labels: registers its own wording


i18n_cli = AppGroup("i18n", help="Translation catalogs (developers).")


@i18n_cli.command("update")
def i18n_update():
    """Extract messages of every package into its zh_CN catalog; list what is missing."""
    missing_total = 0
    for name, package_dir in registry(current_app).packages.items():
        missing = update_catalog(package_dir)
        missing_total += len(missing)
        for message in missing:
            click.echo(f"{name}: untranslated: {message}")
    click.echo(f"{missing_total} untranslated")
