"""Person summaries: what a peer worker and a service user see about one person's measures.

The statistics (measures.py, regularity.py, person_summary.py) are pure numpy over
many people at once (DESIGN.md section 8): no Flask, no database, no clock. The
job (jobs.py) chooses the view (shared check-ins only, or all of them), passes in
sorted arrays and the time of computation, and stores the results sealed.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register ``GET /api/v1/me/summary``."""
    from server.aggregation.routes import blueprint
    from server.extensions import api

    api.register_blueprint(blueprint)
