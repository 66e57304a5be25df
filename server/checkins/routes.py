"""The sync endpoints and the personal data download (thin: parse, call, answer)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, jsonify, request
from flask_smorest import Blueprint

from server.accounts.authentication import require
from server.accounts.models import Role
from server.checkins import service
from server.clock import utcnow
from server.errors import AlongsideError
from server.extensions import current_session
from server.instruments import current_registry, served_instruments
from sync.protocol import PullQuery, PullResponse, PushRequest, PushResponse

sync_blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="Sync (PROTOCOL.md)")
export_blp = Blueprint("export", __name__, url_prefix="/api/v1/me", description="Your own data")


TOO_DEEP = "The body is nested too deeply to read; nothing was stored."


def _json_body() -> object:
    """The request body as JSON whatever its content type (400 when it is not JSON)."""
    try:
        # orjson is strict where the json module is lax (NaN, lone surrogates, invalid
        # UTF-8): all of those are refused here rather than fail later with a 500.
        return orjson.loads(request.get_data(cache=False))
    except orjson.JSONDecodeError:
        raise AlongsideError("The body is not valid JSON.") from None


@sync_blp.route("/push", methods=["POST"])
@sync_blp.doc(requestBody={"content": {"application/json": {"schema": PushRequest}}})
@sync_blp.response(200, PushResponse)
def push() -> Response:
    """Send up to 500 changes; each gets applied, duplicate, conflict or rejected."""
    actor = require(Role.SERVICE_USER)
    # End the sign-in check's transaction: on SQLite it holds the one write lock, which
    # the push should take only once its changes are read, checked and scored.
    current_session().commit()
    try:
        outcome = service.push_changes(
            current_session(),
            actor=actor,
            body=_json_body(),
            registry=current_registry(),
            now=utcnow(),
        )
    except RecursionError:
        # JSON nested almost as deep as the parser allows can still be too deep to hash.
        raise AlongsideError(TOO_DEEP) from None
    current_session().commit()  # only now is "applied" true
    return Response(orjson.dumps(outcome.body()), mimetype="application/json")


@sync_blp.route("/pull")
@sync_blp.arguments(PullQuery, location="query")
@sync_blp.response(200, PullResponse)
def pull(query: dict[str, Any]) -> Response:
    """Your check-ins changed after the cursor, from every device, oldest change first."""
    actor = require(Role.SERVICE_USER)
    body = service.pull_changes_json(
        current_session(),
        actor=actor,
        cursor=query["cursor"],
        limit=query["limit"],
        instruments_etag=served_instruments().etag,
    )
    current_session().rollback()  # read only: end the transaction before answering
    return Response(body, mimetype="application/json")


@export_blp.route("/export")
@export_blp.response(200, description="A JSON file of your account, consents and check-ins.")
def export() -> Response:
    """Download everything stored about you, as a JSON file."""
    now = utcnow()
    body = service.export_own_data(current_session(), actor=require(Role.SERVICE_USER), now=now)
    current_session().commit()  # the audit record
    response = jsonify(body)
    filename = f"alongside-export-{now.date().isoformat()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


BLUEPRINTS = (sync_blp, export_blp)
