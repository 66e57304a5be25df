"""Who is asking: the signed-in user as service functions see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.accounts.models import Role
from server.audit.service import AuditActor


@dataclass(frozen=True)
class Actor:
    """The authenticated user behind a request, by id and role (never the full row)."""

    user_id: uuid.UUID
    role: Role
    service_id: uuid.UUID | None
    session_id: uuid.UUID | None = None

    @property
    def audit(self) -> AuditActor:
        return AuditActor(id=self.user_id, role=self.role.value)
