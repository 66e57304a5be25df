"""The person-summary job: incremental, batched, one commit per batch (DESIGN.md section 8).

Killed at any point, the next run carries on with the people not yet done: each
batch's summaries and watermarks commit together, and who is due is decided from
the database alone. Run at the same ``now``, an interrupted run plus a second run
store what one clean run stores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.aggregation import service
from server.instruments import current_registry
from server.sealing import session_keys

if TYPE_CHECKING:  # the scheduler imports these jobs; no import back at run time
    from server.scheduler.jobs import JobContext


def refresh_person_summaries(context: JobContext) -> dict[str, int]:
    """Recompute the summaries of everyone whose feed moved (or whose summary aged a day)."""
    return run_summaries(context, batch_size=service.BATCH_PEOPLE)


def run_summaries(context: JobContext, *, batch_size: int) -> dict[str, int]:
    """The job, ``batch_size`` people per commit (small batches let tests stop it midway)."""
    session, now = context.session, context.now
    registry = current_registry()
    total = service.count_stale(session, now=now)
    context.progress(0, total)
    done, batches, after = 0, 0, None
    while True:
        positions = service.next_stale(session, now=now, after=after, limit=batch_size)
        if not positions:
            break
        done += service.summarise_and_store(
            session, positions=positions, registry=registry, now=now
        )
        session.commit()
        # Drop opened check-ins and keys with the batch, so memory stays one batch deep.
        session.expunge_all()
        session_keys(session).forget()
        batches += 1
        after = positions[-1].user_id
        context.progress(done, max(total, done))
    return {"people": done, "batches": batches}
