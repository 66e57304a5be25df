"""Peer worker endpoints: caseload, a person's story, their shared check-ins, follow-ups."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from server.accounts.authentication import current_actor
from server.clock import utcnow
from server.extensions import current_session
from server.instruments import current_registry
from server.peer import service
from server.peer.schemas import (
    Acknowledge,
    Acknowledged,
    Caseload,
    CheckinsQuery,
    PersonSummary,
    SharedCheckins,
)

blueprint = Blueprint(
    "peer", __name__, url_prefix="/api/v1/peer", description="A peer worker's caseload"
)


@blueprint.route("/people")
@blueprint.response(200, Caseload, headers={"ETag": {"schema": {"type": "string"}}})
@blueprint.alt_response(304, description="Nothing changed since the ETag sent")
def people() -> Any:
    """The people linked to you at a glance: urgent first, then new concerns, then quiet.

    The web app polls this every few seconds with If-None-Match: an unchanged caseload
    answers 304 with no body, so polling neither resends nor re-audits what was seen.
    """
    actor, now = current_actor(), utcnow()
    found = service.caseload(current_session(), actor=actor, registry=current_registry(), now=now)
    tag = service.caseload_tag(found)
    if request.if_none_match.contains(tag):
        current_session().commit()
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    service.record_caseload_read(current_session(), actor=actor, people=len(found), now=now)
    current_session().commit()
    return {"people": found}, 200, {"ETag": f'"{tag}"'}


@blueprint.route("/people/<uuid:person_id>/summary")
@blueprint.response(200, PersonSummary)
def person_summary(person_id: uuid.UUID) -> dict[str, Any]:
    """A linked person's story from their shared check-ins: trust, hope, connection, wellbeing."""
    found = service.person_summary(
        current_session(),
        actor=current_actor(),
        person_id=person_id,
        registry=current_registry(),
        now=utcnow(),
    )
    current_session().commit()
    return found


@blueprint.route("/people/<uuid:person_id>/acknowledge", methods=["POST"])
@blueprint.arguments(Acknowledge)
@blueprint.response(200, Acknowledged)
def acknowledge(body: dict[str, Any], person_id: uuid.UUID) -> dict[str, Any]:
    """Mark what awaits follow-up for this person as followed up, with an optional note."""
    found = service.acknowledge(
        current_session(),
        actor=current_actor(),
        person_id=person_id,
        note=body["note"],
        now=utcnow(),
    )
    current_session().commit()
    return found


@blueprint.route("/people/<uuid:person_id>/checkins")
@blueprint.arguments(CheckinsQuery, location="query")
@blueprint.response(200, SharedCheckins)
def person_checkins(query: dict[str, Any], person_id: uuid.UUID) -> dict[str, Any]:
    """A linked person's shared check-ins with their answers and notes, newest first."""
    found = service.shared_checkins(
        current_session(),
        actor=current_actor(),
        person_id=person_id,
        limit=query["limit"],
        registry=current_registry(),
        now=utcnow(),
    )
    current_session().commit()
    return {"checkins": found}
