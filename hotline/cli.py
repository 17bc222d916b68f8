"""The `hotline` command (same as `flask --app hotline.app ...`)."""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup

from hotline.app import create_app
from hotline.config import ConfigError


def main() -> None:
    try:
        app = create_app()
    except ConfigError as err:
        # A refusal to start is one plain line naming what to set, not a traceback.
        sys.exit(f"hotline: cannot start: {err}")
    cli = FlaskGroup(create_app=lambda: app, help="Hotline management commands.")
    cli.main(prog_name="hotline")


if __name__ == "__main__":
    main()
