"""HTTP routes for signing in, joining, the signed-in person and peer workers' invites."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Response, after_this_request, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from server.accounts import service, sessions
from server.accounts.authentication import (
    clear_session_cookie,
    current_actor,
    current_csrf_token,
    set_session_cookie,
    token_ttl,
)
from server.accounts.schemas import (
    ConsentRequest,
    DeviceSessionList,
    InviteCreated,
    InviteList,
    InviteRequest,
    LoginRequest,
    Me,
    RegisterRequest,
    ResearchConsent,
    SignedInResponse,
)
from server.clock import utcnow
from server.crypto import csrf_token_for
from server.extensions import current_session

auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Signing in")
me_blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in person")
invites_blp = Blueprint("invites", __name__, url_prefix="/api/v1/invites", description="Invites")


def _login_policy() -> sessions.LoginPolicy:
    config = current_app.config
    return sessions.LoginPolicy(
        token_ttl=token_ttl(),
        window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
        max_failures_per_username=config["LOGIN_MAX_FAILURES_PER_USERNAME"],
        max_attempts_per_address=config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"],
    )


def _signed_in_body(signed_in: sessions.SignedIn) -> dict[str, Any]:
    """The login/register answer, and the web app's cookie on the way out."""

    @after_this_request
    def _cookie(response: Response) -> Response:
        set_session_cookie(response, signed_in.token, token_ttl())
        return response

    user = service.profile(
        current_session(),
        user_id=signed_in.user.id,
        consent_version=current_app.config["RESEARCH_CONSENT_VERSION"],
    )
    return {
        "token": signed_in.token,
        "token_type": "Bearer",
        "expires_at": signed_in.device_session.expires_at,
        "csrf_token": csrf_token_for(signed_in.token),
        "user": user,
    }


@auth_blp.route("/login", methods=["POST"])
@auth_blp.arguments(LoginRequest)
@auth_blp.response(200, SignedInResponse)
def login(body: dict[str, Any]) -> dict[str, Any]:
    """Sign in with a username and password; answers with a token and sets the web app's cookie."""
    attempt = sessions.login(
        current_session(),
        username=body["username"],
        password=body["password"],
        address=request.remote_addr or "unknown",
        device_label=body["device_name"],
        policy=_login_policy(),
        now=utcnow(),
    )
    current_session().commit()  # failed attempts must count even though this request fails
    if attempt.error is not None:
        raise attempt.error
    assert attempt.signed_in is not None
    return _signed_in_body(attempt.signed_in)


@auth_blp.route("/register", methods=["POST"])
@auth_blp.arguments(RegisterRequest)
@auth_blp.response(201, SignedInResponse)
def register(body: dict[str, Any]) -> dict[str, Any]:
    """Join with a peer worker's invite code; signs the new account in."""
    now = utcnow()
    user = service.register(
        current_session(),
        invite_code=body["invite_code"],
        username=body["username"],
        password=body["password"],
        password_min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        now=now,
        display_name=body["display_name"],
    )
    signed_in = sessions.start_session(
        current_session(), user=user, device_label=body["device_name"], ttl=token_ttl(), now=now
    )
    current_session().commit()
    return _signed_in_body(signed_in)


@auth_blp.route("/logout", methods=["POST"])
@auth_blp.response(204)
def logout() -> None:
    """Sign this device out: its token stops working and the cookie is removed."""
    actor = current_actor()
    assert actor.session_id is not None
    sessions.revoke(current_session(), actor=actor, session_id=actor.session_id, now=utcnow())
    current_session().commit()

    @after_this_request
    def _clear(response: Response) -> Response:
        clear_session_cookie(response)
        return response


@me_blp.route("")
@me_blp.response(200, Me)
def me() -> dict[str, Any]:
    """The signed-in person: role, linked peer worker, consents."""
    actor = current_actor()
    body = service.profile(
        current_session(),
        user_id=actor.user_id,
        consent_version=current_app.config["RESEARCH_CONSENT_VERSION"],
    )
    return {**body, "csrf_token": current_csrf_token()}


@me_blp.route("/consents/research", methods=["PUT"])
@me_blp.arguments(ConsentRequest)
@me_blp.response(200, ResearchConsent)
def put_research_consent(body: dict[str, Any]) -> service.ConsentState:
    """Give or withdraw consent for anonymised research use; the history is kept."""
    state = service.set_research_consent(
        current_session(),
        actor=current_actor(),
        granted=body["granted"],
        version=current_app.config["RESEARCH_CONSENT_VERSION"],
        now=utcnow(),
    )
    current_session().commit()
    return state


@me_blp.route("/sessions")
class DeviceSessions(MethodView):
    @me_blp.response(200, DeviceSessionList)
    def get(self) -> dict[str, Any]:
        """Devices signed in to this account."""
        actor = current_actor()
        rows = sessions.list_sessions(current_session(), actor=actor, now=utcnow())
        return {
            "sessions": [
                {
                    "id": row.id,
                    "device_name": row.device_label,
                    "created_at": row.created_at,
                    "last_used_at": row.last_used_at,
                    "expires_at": row.expires_at,
                    "current": row.id == actor.session_id,
                }
                for row in rows
            ]
        }


@me_blp.route("/sessions/<uuid:session_id>", methods=["DELETE"])
@me_blp.response(204)
def delete_device_session(session_id: uuid.UUID) -> None:
    """Sign one device out (a lost phone, say)."""
    sessions.revoke(current_session(), actor=current_actor(), session_id=session_id, now=utcnow())
    current_session().commit()


@invites_blp.route("")
class Invites(MethodView):
    @invites_blp.arguments(InviteRequest)
    @invites_blp.response(201, InviteCreated)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """A one-time code for someone to join, linked to the calling peer worker."""
        days = body["expires_in_days"] or current_app.config["INVITE_TTL_DAYS"]
        invite, code = service.create_invite(
            current_session(), actor=current_actor(), ttl=timedelta(days=days), now=utcnow()
        )
        current_session().commit()
        return {"id": invite.id, "code": code, "expires_at": invite.expires_at}

    @invites_blp.response(200, InviteList)
    def get(self) -> dict[str, Any]:
        """This peer worker's invites and whether each is pending, used or expired."""
        now = utcnow()
        invites = service.list_invites(current_session(), actor=current_actor())
        return {"invites": [service.invite_summary(invite, now) for invite in invites]}


BLUEPRINTS = (auth_blp, me_blp, invites_blp)
