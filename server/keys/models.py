"""Per-person data keys, stored wrapped by a key-encryption key (DESIGN.md §5)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base


class UserKey(Base):
    """One person's data key, wrapped by KEK ``kek_version``; never stored unwrapped."""

    __tablename__ = "user_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int]
    kek_version: Mapped[int] = mapped_column(index=True)
    wrapped_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime]
    rewrapped_at: Mapped[datetime | None]


class KeyRetirementDue(Base):
    """A KEK version that wrapped an erased person's data key, so it must be retired.

    Until it is, a database backup from before the erasure could still be opened with it
    (DESIGN.md §5). Holds a version number and a time, nothing about the person.
    """

    __tablename__ = "key_retirements_due"

    kek_version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    since: Mapped[datetime]
