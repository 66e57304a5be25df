"""``GET /api/v1/research/aggregates``: the disclosure-controlled export, for researchers only."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_smorest import Blueprint

from server.accounts.authentication import current_actor
from server.clock import utcnow
from server.extensions import current_session
from server.instruments import current_registry
from server.research import service
from server.research.schemas import ExportQuery

blueprint = Blueprint(
    "research", __name__, url_prefix="/api/v1/research", description="Research exports"
)


@blueprint.route("/aggregates")
@blueprint.arguments(ExportQuery, location="query")
@blueprint.response(200, description="JSON document, or a zip of CSV files with codebook.")
def aggregates(query: dict[str, Any]) -> Response:
    """Cohort aggregates per service, period and measure, with within-person associations."""
    now = utcnow()
    export = service.research_export(
        current_session(),
        actor=current_actor(),
        granularity=query["period"],
        file_format=query["format"],
        k=current_app.config["RESEARCH_MIN_CELL"],
        registry=current_registry(),
        consent_version=current_app.config["RESEARCH_CONSENT_VERSION"],
        now=now,
    )
    current_session().commit()
    if query["format"] == "json":
        return jsonify(export.document())
    stamp = now.strftime("%Y%m%d")
    return Response(
        export.zip_bytes(),
        mimetype="application/zip",
        headers={
            "Content-Disposition": (
                f'attachment; filename="alongside-{export.granularity}-{stamp}.zip"'
            )
        },
    )
