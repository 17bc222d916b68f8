"""The `hotline` command (same as `flask --app hotline.app ...`)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from hotline.app import create_app


def main() -> None:
    cli = FlaskGroup(create_app=lambda: create_app(), help="Hotline management commands.")
    cli.main(prog_name="hotline")


if __name__ == "__main__":
    main()
