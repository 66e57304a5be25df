"""Stored person summaries: one sealed document per person and view (DESIGN.md sections 3, 5, 8)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base, new_id
from server.sealing import JSON, Sealed

BigInt = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class View(StrEnum):
    """Whose summary: the peer worker's (shared check-ins only) or the person's own (all)."""

    SHARED = "shared"
    OWN = "own"


class PersonSummary(Base):
    """A person's summary in one view, from their feed up to ``source_seq``."""

    __tablename__ = "person_summaries"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "view"),
        sa.CheckConstraint("view IN ('shared', 'own')", name="view_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(sa.String(10))
    # The person's checkin_feeds.last_seq when it was computed: a later seq means stale.
    source_seq: Mapped[int] = mapped_column(BigInt)
    computed_at: Mapped[datetime]
    document_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    # Scores, trends and event times say how someone is doing: sealed like the check-ins.
    document = Sealed[dict[str, Any]]("document_sealed", codec=JSON)
