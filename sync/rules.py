"""The sync protocol's rules as pure functions: the server's per-change decision table,
the client's conflict resolution, and the effective-time rule (sync/PROTOCOL.md).

Both sides import these, so the server and the Python client cannot disagree about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

# A client time is trusted up to this far past the server's clock (DESIGN.md §4).
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=5)
# After this many automatic re-pushes of one check-in, the person decides.
MAX_REPUSHES = 5


class Op(StrEnum):
    PUT = "put"
    DELETE = "delete"


class Status(StrEnum):
    """A change's result in a push response."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


def effective_time(client_time: datetime, received_at: datetime) -> datetime:
    """``min(client_time, received_at + 5 min)``: the time used for ordering and trends."""
    return min(client_time, received_at + CLOCK_SKEW_ALLOWANCE)


def is_clock_skewed(client_time: datetime, received_at: datetime) -> bool:
    """True when a client time lies more than 5 minutes past the server's clock."""
    return client_time > received_at + CLOCK_SKEW_ALLOWANCE


@dataclass(frozen=True)
class ServerState:
    """What the server holds for one check-in id: its rev and whether it is a tombstone."""

    rev: int
    deleted: bool


@dataclass(frozen=True)
class Decision:
    """The table's verdict on one change: ``applied`` (with the new rev), ``conflict`` or
    ``rejected`` (with field errors)."""

    status: Status
    rev: int | None = None
    deleted: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)


UNKNOWN_BASE_REV = {"base_rev": ["unknown check-in: send base_rev null for a new check-in"]}


def decide_change(state: ServerState | None, *, op: Op, base_rev: int | None) -> Decision:
    """Apply the decision table of PROTOCOL.md to one change against the server's state."""
    if state is None:
        if op is Op.DELETE:
            return Decision(Status.APPLIED, rev=1, deleted=True)
        if base_rev is None:
            return Decision(Status.APPLIED, rev=1)
        return Decision(Status.REJECTED, errors=UNKNOWN_BASE_REV)
    if state.deleted:
        # Delete beats edit; deleting a tombstone again has nothing to do.
        return Decision(Status.CONFLICT)
    if op is Op.DELETE:
        # Delete beats edit: a delete applies whatever rev it was made from.
        return Decision(Status.APPLIED, rev=state.rev + 1, deleted=True)
    if base_rev == state.rev:
        return Decision(Status.APPLIED, rev=state.rev + 1)
    return Decision(Status.CONFLICT)


class Resolution(StrEnum):
    """What a client does with a conflict."""

    KEEP_TOMBSTONE = "keep_tombstone"  # drop the local edit; the server's delete stands
    REPUSH = "repush"  # re-push the local change with base_rev = current.rev (new change_id)
    ADOPT_SERVER = "adopt_server"  # replace the local copy with the server's version
    ASK_PERSON = "ask_person"  # re-pushed too often: move to the rejected list


CHANGED_ON_ANOTHER_DEVICE = "changed on another device"


def resolve_conflict(
    *,
    local_op: Op,
    local_changed_at: datetime,
    local_device_id: str,
    server_deleted: bool,
    server_changed_at: datetime,
    server_received_at: datetime,
    server_device_id: str,
    server_time: datetime,
    repushes: int = 0,
) -> Resolution:
    """The client's rule for a conflict (PROTOCOL.md, Clients 4).

    ``server_time`` is the push response's ``server_time``: the local change's effective
    time is capped by it, as the server would have capped it on arrival. Device ids are
    compared as their canonical lower-case strings.
    """
    if server_deleted:
        return Resolution.KEEP_TOMBSTONE
    if repushes >= MAX_REPUSHES:
        return Resolution.ASK_PERSON
    if local_op is Op.DELETE:
        return Resolution.REPUSH
    local = effective_time(local_changed_at, server_time)
    remote = effective_time(server_changed_at, server_received_at)
    if local != remote:
        return Resolution.REPUSH if local > remote else Resolution.ADOPT_SERVER
    local_wins = local_device_id.lower() > server_device_id.lower()
    return Resolution.REPUSH if local_wins else Resolution.ADOPT_SERVER
