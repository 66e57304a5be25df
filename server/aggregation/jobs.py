"""The person-summary jobs: incremental, batched, one commit per batch (DESIGN.md §8, §11).

Two jobs share one batch step. ``refresh_due_summaries`` runs every few seconds and
takes only the people a push marked due, so a shared check-in reaches the peer worker
within seconds without push waiting for it. ``refresh_person_summaries`` is the safety
net: every SUMMARY_INTERVAL_MINUTES it takes everyone whose feed moved past their
summary, or whose summary is a day old. Each batch's summaries, concerns and watermarks
commit together, and who is due is decided from the database alone, so a run killed at
any point is carried on by the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from server.aggregation import service
from server.aggregation.service import FeedPosition
from server.concerns.jobs import find_concerns
from server.concerns.service import raise_concerns
from server.database import READ_ONLY
from server.instruments import current_registry
from server.instruments.registry import InstrumentRegistry
from server.sealing import session_keys

if TYPE_CHECKING:  # the scheduler imports these jobs; no import back at run time
    from server.scheduler.jobs import JobContext

# The feedback job stops after this many batches, so one run stays short; the next
# run, seconds later, carries on.
DUE_BATCHES_PER_RUN = 20


def refresh_person_summaries(context: JobContext) -> dict[str, int]:
    """Recompute the summaries of everyone whose feed moved (or whose summary aged a day)."""
    return run_summaries(context, batch_size=service.BATCH_PEOPLE)


def run_summaries(context: JobContext, *, batch_size: int) -> dict[str, int]:
    """The sweep, ``batch_size`` people per commit (small batches let tests stop it midway)."""
    session, now = context.session, context.now
    registry = current_registry()
    read_only(session)
    total = service.count_stale(session, now=now)
    session.commit()
    context.progress(0, total)
    done, batches, raised, after = 0, 0, 0, None
    while True:
        read_only(session)
        positions = service.next_stale(session, now=now, after=after, limit=batch_size)
        if not positions:
            session.commit()
            break
        people, new = _summarise_batch(context, positions, registry)
        done, raised, batches = done + people, raised + new, batches + 1
        after = positions[-1].user_id
        context.progress(done, max(total, done))
    return {"people": done, "batches": batches, "concerns_raised": raised}


def refresh_due_summaries(context: JobContext) -> dict[str, int]:
    """Summaries and concerns of the people pushes marked due, longest waiting first."""
    session, registry = context.session, current_registry()
    done, batches, raised = 0, 0, 0
    while batches < DUE_BATCHES_PER_RUN:
        read_only(session)
        positions = service.next_due(session, limit=service.BATCH_PEOPLE)
        if not positions:
            session.commit()
            break
        people, new = _summarise_batch(context, positions, registry)
        done, raised, batches = done + people, raised + new, batches + 1
    context.progress(done, done)
    return {"people": done, "batches": batches, "concerns_raised": raised}


def _summarise_batch(
    context: JobContext, positions: Sequence[FeedPosition], registry: InstrumentRegistry
) -> tuple[int, int]:
    """One batch: computed under a read transaction, then stored in one short write.

    On SQLite a write transaction holds the only write lock from its first statement, so
    computing inside one would hold every push up for the whole batch. Anything a push
    changes meanwhile leaves the person due (mark_summarised compares the feed position),
    and concerns are reconciled against what is stored at the moment of writing.
    """
    session, now = context.session, context.now
    batch = service.summarise(session, positions=positions, registry=registry, now=now)
    found = find_concerns(
        session, batch=batch, registry=registry, services=context.config["SERVICES"], now=now
    )
    session.commit()  # ends the read transaction, keeping the opened keys for sealing
    service.store_summaries(session, batch=batch, now=now)
    raised = raise_concerns(session, found=found.found, shared_times=found.shared_times, now=now)
    service.mark_summarised(session, positions=positions)
    session.commit()
    # Drop opened check-ins and keys with the batch, so memory stays one batch deep.
    session.expunge_all()
    session_keys(session).forget()
    return batch.people, raised


def read_only(session: Session) -> None:
    """Begin the session's next transaction as a reader (plain BEGIN on SQLite: no lock).

    Every such transaction here ends in a commit before anything is written, because a
    SQLite reader that later writes fails when another writer got in between.
    """
    if not session.in_transaction():
        session.connection(execution_options=READ_ONLY)
