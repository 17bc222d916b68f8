from __future__ import annotations

from alembic import context

import hotline.db
from hotline.extensions import db

config = context.config
app = config.attributes["flask_app"]


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, hotline.db.UTCDateTime):
        autogen_context.imports.add("import hotline.db")
        return "hotline.db.UTCDateTime()"
    return False


def run_migrations() -> None:
    with app.app_context():
        connection = config.attributes.get("connection")
        if connection is None:
            with db.engine.connect() as connection:
                _run(connection)
        else:
            _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
