"""Who may use the sync endpoints: service users, on their own check-ins only (DESIGN.md §6)."""

from __future__ import annotations

from server.accounts.actor import Actor
from server.accounts.models import Role
from server.errors import Forbidden


def require_service_user(actor: Actor) -> None:
    """Refuse staff: peer workers, researchers and admins never sync anyone's check-ins."""
    if actor.role is not Role.SERVICE_USER:
        raise Forbidden("Only people recording check-ins can sync them.")
