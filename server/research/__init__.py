"""Research export: cohort aggregates, within-person associations, disclosure control, codebook.

The statistics are pure numpy and plain Python (DESIGN.md section 8): no Flask, no
database, no clock. ``service`` reads consenting people's scores and calls them;
what leaves this package is already safe to publish.
"""

from __future__ import annotations

from flask import Flask

from server.research.disclosure import check_min_cell


def init_app(app: Flask) -> None:
    """Check k, register the route and ``alongside export``."""
    from server.extensions import api
    from server.research.cli import export_command
    from server.research.routes import blueprint

    try:
        check_min_cell(app.config["RESEARCH_MIN_CELL"])
    except ValueError as exc:
        raise RuntimeError(f"ALONGSIDE_RESEARCH_MIN_CELL: {exc}") from None
    api.register_blueprint(blueprint)
    app.cli.add_command(export_command)
