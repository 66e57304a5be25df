"""``GET /api/v1/instruments``: what the web app renders, with an ETag for cheap re-checks."""

from __future__ import annotations

from flask import jsonify, request
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from server.instruments import served_instruments
from server.instruments.schemas import InstrumentsResponse

blueprint = Blueprint(
    "instruments", __name__, url_prefix="/api/v1/instruments", description="Instruments"
)


@blueprint.route("")
@blueprint.response(200, InstrumentsResponse)
@blueprint.alt_response(304, description="Unchanged since the ETag sent in If-None-Match.")
def list_instruments() -> Response:
    """The latest version of every instrument and how often each is offered (days)."""
    served = served_instruments()
    response = jsonify(
        instruments=served.registry.served(), schedule=served.schedule, etag=served.etag
    )
    response.set_etag(served.etag)
    # Public wording, not personal data: caches may keep it but must revalidate.
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
