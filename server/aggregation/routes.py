"""``GET /api/v1/me/summary``: the person's own summary, for their history screen."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from server.accounts.authentication import current_actor
from server.aggregation import service
from server.aggregation.schemas import SummaryLayout
from server.extensions import current_session

blueprint = Blueprint(
    "own_summary", __name__, url_prefix="/api/v1/me", description="Your own summary"
)


@blueprint.route("/summary")
@blueprint.response(200, SummaryLayout)
def own_summary() -> dict[str, Any]:
    """Your summary from all your check-ins, along the change model (service users only)."""
    return service.own_summary(current_session(), actor=current_actor())
