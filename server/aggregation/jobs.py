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

from server.aggregation import service
from server.aggregation.service import FeedPosition
from server.concerns.jobs import raise_from_batch
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
    total = service.count_stale(session, now=now)
    context.progress(0, total)
    done, batches, raised, after = 0, 0, 0, None
    while True:
        positions = service.next_stale(session, now=now, after=after, limit=batch_size)
        if not positions:
            break
        people, new = _summarise_batch(context, positions, registry)
        done, raised, batches = done + people, raised + new, batches + 1
        after = positions[-1].user_id
        context.progress(done, max(total, done))
    return {"people": done, "batches": batches, "concerns_raised": raised}


def refresh_due_summaries(context: JobContext) -> dict[str, int]:
    """Summaries and concerns of the people pushes marked due, longest waiting first."""
    registry = current_registry()
    done, batches, raised = 0, 0, 0
    while batches < DUE_BATCHES_PER_RUN:
        positions = service.next_due(context.session, limit=service.BATCH_PEOPLE)
        if not positions:
            break
        people, new = _summarise_batch(context, positions, registry)
        done, raised, batches = done + people, raised + new, batches + 1
    context.progress(done, done)
    return {"people": done, "batches": batches, "concerns_raised": raised}


def _summarise_batch(
    context: JobContext, positions: Sequence[FeedPosition], registry: InstrumentRegistry
) -> tuple[int, int]:
    """One batch: summaries, concerns and "no longer due", in one commit."""
    session, now = context.session, context.now
    batch = service.summarise_and_store(session, positions=positions, registry=registry, now=now)
    raised = raise_from_batch(
        session, batch=batch, registry=registry, services=context.config["SERVICES"], now=now
    )
    service.mark_summarised(session, positions=positions)
    session.commit()
    # Drop opened check-ins and keys with the batch, so memory stays one batch deep.
    session.expunge_all()
    session_keys(session).forget()
    return batch.people, raised
