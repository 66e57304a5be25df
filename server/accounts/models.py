"""Accounts: services, users, device sessions, invites, peer links, consents, rate limits."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.database import Base, new_id
from server.sealing import TEXT, Sealed


class Role(StrEnum):
    SERVICE_USER = "service_user"
    PEER_WORKER = "peer_worker"
    RESEARCHER = "researcher"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.PEER_WORKER, Role.RESEARCHER, Role.ADMIN})


class Service(Base):
    """An organisation offering peer support; its peer workers and the people they support."""

    __tablename__ = "services"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime]


class User(Base):
    """Anyone who signs in. Usernames are unique regardless of case (``username_canonical``)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('service_user', 'peer_worker', 'researcher', 'admin')", name="role_known"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(sa.String(40))
    username_canonical: Mapped[str] = mapped_column(sa.String(40), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("services.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime]
    display_name_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    service: Mapped[Service | None] = relationship(lazy="joined")

    # What the person asked to be called: it can identify them, so it is sealed.
    display_name = Sealed[str]("display_name_sealed", codec=TEXT, owner="id")


class DeviceSession(Base):
    """A signed-in device: one random token, stored only as its SHA-256, expiring and revocable."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    device_label_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]

    # People name devices after themselves ("Sam's phone"), so the label is sealed.
    device_label = Sealed[str]("device_label_sealed", codec=TEXT)


class Invite(Base):
    """A one-time code a peer worker gives someone so they can join, linked to that peer worker."""

    __tablename__ = "invites"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    peer_worker_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class PeerLink(Base):
    """A service user supported by a peer worker; ``ended_at`` is set when that support ends."""

    __tablename__ = "peer_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    service_user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    peer_worker_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class Consent(Base):
    """One grant of a versioned consent; withdrawal sets ``withdrawn_at`` and keeps the row."""

    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    version: Mapped[str] = mapped_column(sa.String(20))
    granted_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class RateLimitCounter(Base):
    """A fixed-window counter, shared by every worker process through the database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    window_started_at: Mapped[datetime]
    count: Mapped[int]
