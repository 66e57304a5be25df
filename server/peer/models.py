"""What a peer worker saw at their last look at a person: caseload flags mean "new since"."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base, new_id
from server.sealing import JSON, Sealed


class PeerView(Base):
    """A peer worker's last look at one linked person's shared summary."""

    __tablename__ = "peer_views"
    __table_args__ = (sa.UniqueConstraint("peer_worker_id", "service_user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    peer_worker_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    service_user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    last_viewed_at: Mapped[datetime]
    seen_events_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    # The events on the page at that look ("measure|kind|time"). Kept as events rather
    # than a time, because a check-in made offline can arrive, backdated, after a look.
    # When someone's scores changed is personal: sealed with the person's key.
    seen_events = Sealed[list[str]]("seen_events_sealed", codec=JSON, owner="service_user_id")
