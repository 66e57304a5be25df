"""The nightly cohort-aggregate job: compute and store the weekly and monthly exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.instruments import current_registry
from server.research import service

if TYPE_CHECKING:  # the scheduler imports these jobs; no import back at run time
    from server.scheduler.jobs import JobContext


def refresh_cohort_aggregates(context: JobContext) -> dict[str, int]:
    """Recompute both exports from consenting people's check-ins; one commit at the end."""
    context.progress(0, 1)
    stored = service.store_exports(
        context.session,
        k=context.config["RESEARCH_MIN_CELL"],
        registry=current_registry(),
        consent_version=context.config["RESEARCH_CONSENT_VERSION"],
        now=context.now,
    )
    context.session.commit()
    context.progress(1, 1)
    return {"exports": stored}
