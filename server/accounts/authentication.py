"""Finding the actor behind a request: a bearer token, or the web app's cookie plus CSRF token."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, request

from server import crypto
from server.accounts import sessions
from server.accounts.actor import Actor
from server.accounts.models import Role
from server.clock import utcnow
from server.errors import Forbidden, Unauthorized
from server.extensions import current_session
from server.http_security import UNSAFE_METHODS

COOKIE_NAME = "alongside_session"
CSRF_HEADER = "X-CSRF-Token"
# Cached on the request itself, not on ``g``: an app context can outlive one request.
_ACTOR_KEY = "alongside.actor"


def _credentials() -> tuple[str | None, bool]:
    """The presented token and whether it came from the cookie (bearer wins when both are sent)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    cookie = request.cookies.get(COOKIE_NAME)
    return (cookie, True) if cookie else (None, False)


def token_ttl() -> timedelta:
    """How long a session lives without use."""
    return timedelta(days=current_app.config["TOKEN_TTL_DAYS"])


def current_actor() -> Actor:
    """The signed-in actor, or 401. Cookie sessions must prove CSRF on unsafe methods."""
    cached: Actor | None = request.environ.get(_ACTOR_KEY)
    if cached is not None:
        return cached
    token, via_cookie = _credentials()
    if token is None:
        raise Unauthorized("Sign in first.")
    found = sessions.authenticate(current_session(), token=token, ttl=token_ttl(), now=utcnow())
    if found is None:
        raise Unauthorized("Your session has ended. Sign in again.")
    if found.extended:
        # Read-only routes roll back; a device that only pulls must still stay signed in.
        # The sign-in check is a request's first database work, so only the extension commits.
        current_session().commit()
    actor = found.actor
    if via_cookie and request.method in UNSAFE_METHODS:
        given = request.headers.get(CSRF_HEADER, "")
        if not crypto.secrets_match(given, crypto.csrf_token_for(token)):
            raise Forbidden(f"Missing or wrong {CSRF_HEADER} header.")
    request.environ[_ACTOR_KEY] = actor
    return actor


def require(*roles: Role) -> Actor:
    """The signed-in actor, who must hold one of ``roles`` (any role when none are given)."""
    actor = current_actor()
    if roles and actor.role not in roles:
        raise Forbidden("Your account cannot do this.")
    return actor


def current_csrf_token() -> str | None:
    """The CSRF token for this request's cookie session, for the web app to echo back."""
    token, via_cookie = _credentials()
    return crypto.csrf_token_for(token) if token and via_cookie else None


def set_session_cookie(response: Response, token: str, ttl: timedelta) -> None:
    """Give the web app its HttpOnly, SameSite=Strict session cookie."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(ttl.total_seconds()),
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie."""
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
