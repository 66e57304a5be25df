"""Erasing a person: crypto-shredding their data key, then their rows (DESIGN.md §5).

Destroying the data key makes every sealed value of theirs unreadable wherever a copy
survives; deleting the ``users`` row takes every per-person table with it through
``ON DELETE CASCADE``. Which tables that reaches is read from the foreign keys, so tables
other features add later are counted without changes here. The audit record holds a random
erasure id and the counts, never the username or the person's id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server import crypto, sealing
from server.accounts import ratelimit
from server.accounts.actor import Actor
from server.accounts.models import Role, User
from server.accounts.service import canonical_username
from server.audit import service as audit
from server.audit.service import AuditActor
from server.database import Base
from server.errors import Conflict, Forbidden, NotFound, RateLimited
from server.keys import rotation
from server.keys.models import UserKey

ERASED_ACTION = "account.erased"


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure removed: rows per table, and whether a data key was destroyed."""

    erasure_id: uuid.UUID
    erased_at: datetime
    data_key_destroyed: bool
    rows: dict[str, int]


@dataclass(frozen=True)
class PasswordPolicy:
    """How many wrong passwords an account may send to erase itself, per window."""

    max_failures: int
    window: timedelta


def _cascade_conditions(user_id: uuid.UUID) -> dict[sa.Table, sa.ColumnElement[bool]]:
    """For each table a deleted user takes with it: which of its rows go."""
    users = Base.metadata.tables[User.__tablename__]
    doomed: dict[sa.Table, sa.ColumnElement[bool]] = {users: users.c.id == user_id}
    # sorted_tables lists parents before children, so one pass follows chains of cascades.
    for table in Base.metadata.sorted_tables:
        clauses = []
        for key in table.foreign_key_constraints:
            parent = key.referred_table
            if parent not in doomed or (key.ondelete or "").upper() != "CASCADE":
                continue
            local = list(key.columns)
            remote = [element.column for element in key.elements]
            if parent is users and len(local) == 1:
                clauses.append(local[0] == user_id)
            elif len(local) == 1:
                clauses.append(local[0].in_(sa.select(remote[0]).where(doomed[parent])))
            else:
                chosen = sa.select(*remote).where(doomed[parent])
                clauses.append(sa.tuple_(*local).in_(chosen))
        if clauses and table is not users:
            doomed[table] = sa.or_(*clauses)
    return doomed


def rows_to_erase(session: Session, *, user_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each table erasing this person deletes (tables with none left out)."""
    counts = {}
    for table, condition in _cascade_conditions(user_id).items():
        found = session.scalar(sa.select(sa.func.count()).select_from(table).where(condition))
        if found:
            counts[table.name] = int(found)
    return dict(sorted(counts.items()))


def erase_user(
    session: Session, *, user_id: uuid.UUID, by: AuditActor, now: datetime
) -> ErasureReport:
    """Destroy the person's data key, delete their rows, and record the erasure anonymously."""
    if session.get(User, user_id) is None:
        raise NotFound("No such account.")
    rows = rows_to_erase(session, user_id=user_id)
    key = session.get(UserKey, user_id)
    try:
        with session.begin_nested():  # all or nothing, and the session stays usable
            if key is not None:
                # Until this version is retired, a backup holding the wrapped key opens it.
                rotation.note_retirement_due(session, version=key.kek_version, now=now)
                session.delete(key)  # the crypto-shredding itself (the cascade would too)
                session.flush()
            session.execute(sa.delete(User).where(User.id == user_id))
    except sa.exc.IntegrityError:
        # A table that refers to users without ON DELETE CASCADE still holds their rows.
        raise Conflict(
            "This account cannot be erased: records in another table refer to it without "
            "cascading. Nothing was erased."
        ) from None
    session.expire_all()  # loaded rows of this person no longer exist
    sealing.forget_everywhere(user_id)
    report = ErasureReport(
        erasure_id=uuid.uuid4(), erased_at=now, data_key_destroyed=key is not None, rows=rows
    )
    audit.record(
        session,
        actor=by,
        action=ERASED_ACTION,
        now=now,
        details={
            "erasure_id": str(report.erasure_id),
            "data_key_destroyed": report.data_key_destroyed,
            "rows": rows,
        },
    )
    session.flush()
    return report


def find_user_id(session: Session, *, username: str) -> uuid.UUID:
    """The id of the account called ``username`` (any case)."""
    canonical = canonical_username(username)
    found = session.scalar(sa.select(User.id).where(User.username_canonical == canonical))
    if found is None:
        raise NotFound("No account has that username.")
    return found


def erase_own_account(
    session: Session, *, actor: Actor, password: str, policy: PasswordPolicy, now: datetime
) -> ErasureReport:
    """A service user erases their own account after typing their password again.

    A wrong password is counted (so a stolen session cannot guess it) and refused with 403;
    the caller commits the count before answering.
    """
    if actor.role is not Role.SERVICE_USER:
        raise Forbidden("Staff accounts are erased by an administrator.")
    counter = ratelimit.counter_key("erase-password", str(actor.user_id))
    if ratelimit.current_count(session, counter, window=policy.window, now=now) >= (
        policy.max_failures
    ):
        wait = ratelimit.seconds_until_reset(session, counter, window=policy.window, now=now)
        raise RateLimited("Too many wrong passwords. Wait and try again.", retry_after=wait)
    user = session.get(User, actor.user_id)
    if user is None or not crypto.verify_password(user.password_hash, password):
        ratelimit.record_hit(session, counter, window=policy.window, now=now)
        raise Forbidden("That password is not right.")
    report = erase_user(
        session, user_id=actor.user_id, by=AuditActor(id=None, role=actor.role.value), now=now
    )
    ratelimit.clear(session, counter)
    return report
