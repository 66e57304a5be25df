"""When a peer worker last looked at a person: "what changed since your last look"."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base, new_id


class PeerView(Base):
    """A peer worker's last look at one linked person's shared summary."""

    __tablename__ = "peer_views"
    __table_args__ = (sa.UniqueConstraint("peer_worker_id", "service_user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    peer_worker_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    service_user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Concerns no longer clear at a look (they stay until followed up), so the look keeps
    # only its time: check-ins received and concerns raised after it are "new".
    last_viewed_at: Mapped[datetime]
