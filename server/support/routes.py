"""``GET /api/v1/support``: help contacts for anyone, signed in or not."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint

from server.accounts.actor import Actor
from server.accounts.authentication import current_actor
from server.errors import Unauthorized
from server.extensions import current_session
from server.support import service
from server.support.schemas import Help

blueprint = Blueprint(
    "support", __name__, url_prefix="/api/v1/support", description="Help contacts"
)
# Not personal, but it depends on who asks: revalidate every time, keyed by credentials.
CACHING = {"Cache-Control": "no-cache", "Vary": "Authorization, Cookie"}


@blueprint.route("")
@blueprint.response(200, Help, headers={"ETag": {"schema": {"type": "string"}}})
@blueprint.alt_response(304, description="Nothing changed since the ETag sent")
def support() -> Any:
    """Who to contact for help, and which answers are very low; open to everyone.

    Signed in: your service's contacts (the national defaults if it sets none). Not signed
    in, or your session has ended: the national defaults, so help is never behind a login.
    """
    found = service.help_for(
        current_session(), actor=_actor_or_none(), services=current_app.config["SERVICES"]
    )
    tag = service.help_tag(found)
    headers = {**CACHING, "ETag": f'"{tag}"'}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    return found, 200, headers


def _actor_or_none() -> Actor | None:
    """The signed-in actor, or None for anyone not signed in (or whose session ended)."""
    try:
        return current_actor()
    except Unauthorized:
        return None
