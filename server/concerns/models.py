"""Stored concerns and follow-ups (DESIGN.md §11)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.concerns.rules import instant
from server.database import Base, new_id
from server.sealing import JSON, TEXT, Sealed


class Concern(Base):
    """Something about a person a peer worker should see, open until it is followed up.

    What it is about (measure, kind, worry or good news, the check-in's time, the words)
    says how someone is doing, so all of it is sealed with the person's key, like their
    check-ins; only the times the workflow queries (raised, followed up, withdrawn) are
    plain. Erasing the person shreds every concern with them (DESIGN.md §5).
    """

    __tablename__ = "concerns"
    __table_args__ = (sa.Index("ix_concerns_user_id_open", "user_id", "acknowledged_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    raised_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # The event no longer holds (the check-in was un-shared or deleted): hidden, kept.
    withdrawn_at: Mapped[datetime | None]
    detail_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    note_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    # {measure, kind, signature, concern, urgent, event_at, message}; see server/concerns/rules.py.
    detail = Sealed[dict[str, Any]]("detail_sealed", codec=JSON)
    note = Sealed[str]("note_sealed", codec=TEXT)

    @property
    def measure(self) -> str:
        return str(self.detail["measure"])

    @property
    def kind(self) -> str:
        return str(self.detail["kind"])

    @property
    def signature(self) -> str:
        """Kind and event time: a followed-up event is never raised again, a new one is."""
        return str(self.detail["signature"])

    @property
    def concern(self) -> bool:
        """A worry (true) or good news (false)."""
        return bool(self.detail["concern"])

    @property
    def urgent(self) -> bool:
        return bool(self.detail["urgent"])

    @property
    def event_at(self) -> datetime:
        """The time of the check-in it is about (for quiet: their last shared one)."""
        return instant(str(self.detail["event_at"]))

    @property
    def message(self) -> str:
        return str(self.detail["message"])
