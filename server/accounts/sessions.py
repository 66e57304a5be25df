"""Signing in and out: per-device bearer tokens, login rate limits (DESIGN.md §6)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server import crypto
from server.accounts import ratelimit
from server.accounts.actor import Actor
from server.accounts.models import DeviceSession, Role, User
from server.accounts.service import canonical_username
from server.audit import service as audit
from server.errors import AlongsideError, NotFound, RateLimited, Unauthorized

# A sliding expiry is extended at most this often, so reads do not write on every request.
TOUCH_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class LoginPolicy:
    """How long sessions last and how many attempts are allowed per window."""

    token_ttl: timedelta
    window: timedelta
    max_failures_per_username: int
    max_attempts_per_address: int


@dataclass(frozen=True)
class SignedIn:
    """A new device session and its token (shown to the client once, stored only hashed)."""

    user: User
    device_session: DeviceSession
    token: str


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login: signed in, or an error to raise once the counters are committed."""

    signed_in: SignedIn | None
    error: AlongsideError | None


def start_session(
    session: Session, *, user: User, device_label: str | None, ttl: timedelta, now: datetime
) -> SignedIn:
    """Open a device session for ``user`` and return its token."""
    token = crypto.new_session_token()
    device_session = DeviceSession(
        user_id=user.id,
        token_hash=crypto.hash_secret(token),
        device_label=device_label,
        created_at=now,
        last_used_at=now,
        expires_at=now + ttl,
    )
    session.add(device_session)
    session.flush()
    return SignedIn(user=user, device_session=device_session, token=token)


def _rate_limited(
    session: Session, keys: tuple[str, str], policy: LoginPolicy, now: datetime
) -> RateLimited | None:
    username_key, address_key = keys
    for key, limit in (
        (username_key, policy.max_failures_per_username),
        (address_key, policy.max_attempts_per_address),
    ):
        if ratelimit.current_count(session, key, window=policy.window, now=now) >= limit:
            wait = ratelimit.seconds_until_reset(session, key, window=policy.window, now=now)
            return RateLimited(
                "Too many sign-in attempts. Wait a few minutes and try again.", retry_after=wait
            )
    return None


def login(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    device_label: str | None,
    policy: LoginPolicy,
    now: datetime,
) -> LoginAttempt:
    """Check a password under per-username and per-address limits; caller commits, then raises."""
    keys = (
        ratelimit.counter_key("login-user", canonical_username(username)),
        ratelimit.counter_key("login-addr", address),
    )
    limited = _rate_limited(session, keys, policy, now)
    if limited is not None:
        return LoginAttempt(None, limited)
    ratelimit.record_hit(session, keys[1], window=policy.window, now=now)
    user = session.scalar(
        sa.select(User).where(User.username_canonical == canonical_username(username))
    )
    if not crypto.verify_password(user.password_hash if user else None, password) or user is None:
        ratelimit.record_hit(session, keys[0], window=policy.window, now=now)
        audit.record(
            session, actor=audit.AuditActor(None, None), action="auth.login_failed", now=now
        )
        return LoginAttempt(None, Unauthorized("That username and password do not match."))
    ratelimit.clear(session, keys[0])
    if crypto.password_needs_rehash(user.password_hash):
        user.password_hash = crypto.hash_password(password)
    signed_in = start_session(
        session, user=user, device_label=device_label, ttl=policy.token_ttl, now=now
    )
    audit.record(
        session,
        actor=audit.AuditActor(user.id, user.role),
        action="auth.login",
        subject_id=signed_in.device_session.id,
        now=now,
    )
    return LoginAttempt(signed_in, None)


# Every authenticated request runs these two, so they are built once (Core, plain columns:
# no ORM objects, no per-request statement construction or cache-key generation).
_SESSION_BY_TOKEN = (
    sa.select(
        DeviceSession.id,
        DeviceSession.revoked_at,
        DeviceSession.expires_at,
        DeviceSession.last_used_at,
        User.id.label("user_id"),
        User.role,
        User.service_id,
    )
    .join(User, User.id == DeviceSession.user_id)
    .where(DeviceSession.token_hash == sa.bindparam("token_hash"))
)
_TOUCH_SESSION = (
    sa.update(DeviceSession)
    .where(DeviceSession.id == sa.bindparam("session_id"))
    .values(last_used_at=sa.bindparam("touched_at"), expires_at=sa.bindparam("new_expiry"))
)


@dataclass(frozen=True)
class Authenticated:
    """The actor behind a token, and whether its sliding expiry was extended (to commit)."""

    actor: Actor
    extended: bool


def authenticate(
    session: Session, *, token: str, ttl: timedelta, now: datetime
) -> Authenticated | None:
    """The actor behind a token, extending its sliding expiry; ``None`` if unknown or ended."""
    connection = session.connection()
    row = connection.execute(_SESSION_BY_TOKEN, {"token_hash": crypto.hash_secret(token)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    extended = now - row.last_used_at >= TOUCH_INTERVAL
    if extended:
        connection.execute(
            _TOUCH_SESSION, {"session_id": row.id, "touched_at": now, "new_expiry": now + ttl}
        )
    actor = Actor(
        user_id=row.user_id, role=Role(row.role), service_id=row.service_id, session_id=row.id
    )
    return Authenticated(actor, extended)


def revoke(session: Session, *, actor: Actor, session_id: uuid.UUID, now: datetime) -> None:
    """End one of the actor's own device sessions (sign out, or a lost phone)."""
    device_session = session.get(DeviceSession, session_id)
    if device_session is None or device_session.user_id != actor.user_id:
        raise NotFound("No such session.")
    if device_session.revoked_at is None:
        device_session.revoked_at = now
    audit.record(session, actor=actor.audit, action="auth.logout", subject_id=session_id, now=now)
    session.flush()


def list_sessions(session: Session, *, actor: Actor, now: datetime) -> list[DeviceSession]:
    """The actor's devices that are still signed in."""
    return list(
        session.scalars(
            sa.select(DeviceSession)
            .where(
                DeviceSession.user_id == actor.user_id,
                DeviceSession.revoked_at.is_(None),
                DeviceSession.expires_at > now,
            )
            .order_by(DeviceSession.last_used_at.desc())
        )
    )
