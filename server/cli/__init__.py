"""The ``alongside`` console script: Flask's command line on Alongside's app factory."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from server import create_app

    return create_app()


main = FlaskGroup(
    name="alongside",
    create_app=_create_app,
    help="Alongside: run the server, manage accounts, keys and data.",
    load_dotenv=False,
    set_debug_flag=False,
)
