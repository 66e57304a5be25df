"""Services, users, invites, peer links and consents (DESIGN.md §6)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import crypto
from server.accounts.actor import Actor
from server.accounts.models import Consent, Invite, PeerLink, Role, Service, User
from server.audit import service as audit
from server.audit.service import SYSTEM
from server.errors import Conflict, Forbidden, InvalidInput, NotFound

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
PASSWORD_MAX_LENGTH = 1024
# Crockford's base32: no I, L, O or U, so a code read aloud or off paper is typed right.
INVITE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
INVITE_LENGTH = 10
_LOOKALIKES = str.maketrans("OIL", "011")
RESEARCH = "research"


def canonical_username(username: str) -> str:
    """The case- and width-insensitive form that must be unique."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def check_username(username: str) -> str:
    """Return the canonical username, or raise with a message a person can act on."""
    canonical = canonical_username(username)
    if not USERNAME_PATTERN.fullmatch(canonical):
        raise InvalidInput(
            "Choose a username of 3 to 40 letters, digits, dots, dashes or underscores.",
            details={"username": ["3 to 40 characters: a-z, 0-9, '.', '-' or '_'"]},
        )
    return canonical


def check_password(password: str, *, canonical: str, min_length: int) -> None:
    """Refuse passwords that are too short, too long, or the username itself."""
    if len(password) < min_length:
        problem = f"Use at least {min_length} characters."
    elif len(password) > PASSWORD_MAX_LENGTH:
        problem = f"Use at most {PASSWORD_MAX_LENGTH} characters."
    elif canonical_username(password) == canonical:
        problem = "Your password must not be your username."
    else:
        return
    raise InvalidInput(problem, details={"password": [problem]})


def create_service(session: Session, *, name: str, now: datetime) -> Service:
    """Create a service (an organisation offering peer support)."""
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("A service name has 1 to 120 characters.")
    if session.scalar(sa.select(Service.id).where(Service.name == name)):
        raise Conflict("A service with that name already exists.")
    service = Service(name=name, created_at=now)
    session.add(service)
    session.flush()
    return service


def create_user(
    session: Session,
    *,
    role: Role,
    username: str,
    password: str,
    service_id: uuid.UUID | None,
    password_min_length: int,
    now: datetime,
) -> User:
    """Create an account; a taken username (in any case) is a 409."""
    canonical = check_username(username)
    check_password(password, canonical=canonical, min_length=password_min_length)
    if role in (Role.SERVICE_USER, Role.PEER_WORKER) and service_id is None:
        raise InvalidInput("Service users and peer workers belong to a service.")
    user = User(
        username=username.strip(),
        username_canonical=canonical,
        role=role.value,
        password_hash=crypto.hash_password(password),
        service_id=service_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise Conflict(
            "That username is taken. Choose another.",
            details={"username": ["already taken"]},
        ) from None
    return user


def find_service(session: Session, name: str) -> Service:
    """The service with this exact name."""
    service = session.scalar(sa.select(Service).where(Service.name == name))
    if service is None:
        raise NotFound("No service has that name.")
    return service


def find_user(session: Session, username: str) -> User | None:
    """The user with this username, ignoring case."""
    return session.scalar(
        sa.select(User).where(User.username_canonical == canonical_username(username))
    )


def format_invite_code(code: str) -> str:
    """Show a code in two groups of five so it is easy to read out."""
    return f"{code[:5]}-{code[5:]}"


def normalise_invite_code(raw: str) -> str:
    """Undo what people do to codes: case, spaces, dashes, and O/I/L typed for 0/1."""
    cleaned = re.sub(r"[\s-]", "", raw.upper())
    return cleaned.translate(_LOOKALIKES)


def create_invite(
    session: Session, *, actor: Actor, ttl: timedelta, now: datetime
) -> tuple[Invite, str]:
    """A one-time joining code from a peer worker; the code is returned once and never stored."""
    if actor.role is not Role.PEER_WORKER:
        raise Forbidden("Only peer workers can invite people.")
    code = crypto.random_code(INVITE_ALPHABET, INVITE_LENGTH)
    invite = Invite(
        code_hash=crypto.hash_secret(code),
        peer_worker_id=actor.user_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    session.flush()
    audit.record(session, actor=actor.audit, action="invite.create", subject_id=invite.id, now=now)
    return invite, format_invite_code(code)


def list_invites(session: Session, *, actor: Actor) -> list[Invite]:
    """A peer worker's invites, newest first (codes are not recoverable)."""
    if actor.role is not Role.PEER_WORKER:
        raise Forbidden("Only peer workers have invites.")
    return list(
        session.scalars(
            sa.select(Invite)
            .where(Invite.peer_worker_id == actor.user_id)
            .order_by(Invite.created_at.desc())
            .limit(200)
        )
    )


def _redeemable_invite(session: Session, code: str, now: datetime) -> Invite:
    invite = session.scalar(
        sa.select(Invite)
        .where(Invite.code_hash == crypto.hash_secret(normalise_invite_code(code)))
        .with_for_update()
    )
    field = "invite_code"
    if invite is None:
        message = "That invite code was not recognised. Check it and try again."
    elif invite.used_at is not None:
        message = "That invite code has already been used. Ask your peer worker for a new one."
    elif invite.expires_at <= now:
        message = "That invite code has expired. Ask your peer worker for a new one."
    else:
        return invite
    raise InvalidInput(message, details={field: [message]})


def register(
    session: Session,
    *,
    invite_code: str,
    username: str,
    password: str,
    password_min_length: int,
    now: datetime,
    display_name: str | None = None,
) -> User:
    """Create a service user from an invite and link them to the peer worker who issued it."""
    invite = _redeemable_invite(session, invite_code, now)
    peer_worker = session.get(User, invite.peer_worker_id)
    assert peer_worker is not None  # the invite row cascades away with its peer worker
    user = create_user(
        session,
        role=Role.SERVICE_USER,
        username=username,
        password=password,
        service_id=peer_worker.service_id,
        password_min_length=password_min_length,
        now=now,
    )
    user.display_name = display_name.strip() if display_name else None
    invite.used_at, invite.used_by_id = now, user.id
    session.add(PeerLink(service_user_id=user.id, peer_worker_id=peer_worker.id, started_at=now))
    session.flush()
    audit.record(
        session,
        actor=audit.AuditActor(id=user.id, role=Role.SERVICE_USER.value),
        action="account.register",
        subject_id=invite.id,
        now=now,
    )
    return user


def current_peer_worker(session: Session, service_user_id: uuid.UUID) -> User | None:
    """The peer worker currently linked to a service user, if any."""
    return session.scalar(
        sa.select(User)
        .join(PeerLink, PeerLink.peer_worker_id == User.id)
        .where(PeerLink.service_user_id == service_user_id, PeerLink.ended_at.is_(None))
        .order_by(PeerLink.started_at.desc())
        .limit(1)
    )


def link_to_peer_worker(
    session: Session, *, service_user: User, peer_worker: User, now: datetime
) -> PeerLink:
    """Link a service user to a peer worker, ending any earlier link (admin and demo use)."""
    if peer_worker.role != Role.PEER_WORKER or service_user.role != Role.SERVICE_USER:
        raise InvalidInput("A link joins a service user to a peer worker.")
    session.execute(
        sa.update(PeerLink)
        .where(PeerLink.service_user_id == service_user.id, PeerLink.ended_at.is_(None))
        .values(ended_at=now)
    )
    link = PeerLink(service_user_id=service_user.id, peer_worker_id=peer_worker.id, started_at=now)
    session.add(link)
    session.flush()
    audit.record(session, actor=SYSTEM, action="peer_link.create", subject_id=link.id, now=now)
    return link


@dataclass(frozen=True)
class ConsentState:
    """A person's research consent now, with every earlier grant and withdrawal."""

    version: str
    granted: bool
    history: list[Consent]


def research_consent(session: Session, user_id: uuid.UUID, *, version: str) -> ConsentState:
    """Current research consent: granted means an unwithdrawn grant of the current version."""
    history = list(
        session.scalars(
            sa.select(Consent)
            .where(Consent.user_id == user_id, Consent.kind == RESEARCH)
            .order_by(Consent.granted_at)
        )
    )
    granted = any(c.withdrawn_at is None and c.version == version for c in history)
    return ConsentState(version=version, granted=granted, history=history)


def set_research_consent(
    session: Session, *, actor: Actor, granted: bool, version: str, now: datetime
) -> ConsentState:
    """Grant or withdraw research consent; withdrawal keeps the record of what was granted."""
    if actor.role is not Role.SERVICE_USER:
        raise Forbidden("Only the people who check in give research consent.")
    state = research_consent(session, actor.user_id, version=version)
    active = [c for c in state.history if c.withdrawn_at is None]
    if granted and not state.granted:
        for older in active:  # an older version is superseded, not left dangling
            older.withdrawn_at = now
        session.add(Consent(user_id=actor.user_id, kind=RESEARCH, version=version, granted_at=now))
    elif not granted:
        for consent in active:
            consent.withdrawn_at = now
    session.flush()
    action = "consent.research.grant" if granted else "consent.research.withdraw"
    audit.record(session, actor=actor.audit, action=action, now=now)
    return research_consent(session, actor.user_id, version=version)


def profile(session: Session, *, user_id: uuid.UUID, consent_version: str) -> dict[str, object]:
    """What a signed-in person sees about their own account (the ``Me`` schema)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    peer_worker = (
        current_peer_worker(session, user.id) if user.role == Role.SERVICE_USER.value else None
    )
    consent = research_consent(session, user.id, version=consent_version)
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "service": user.service,
        "peer_worker": peer_worker,
        "consents": {"research": consent},
    }


def invite_summary(invite: Invite, now: datetime) -> dict[str, object]:
    """An invite as its peer worker sees it, with a status word."""
    if invite.used_at is not None:
        status = "used"
    elif invite.expires_at <= now:
        status = "expired"
    else:
        status = "pending"
    return {
        "id": invite.id,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "status": status,
    }
