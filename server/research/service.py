"""Computing, storing and serving research exports (DESIGN.md sections 6 and 8).

Only people with current research consent count: an unwithdrawn grant of the
current consent version. Exports are computed nightly and stored; a stored one
is served only while the consenting population is exactly the one it counted
(and k and the consent version are unchanged), otherwise a fresh one is
computed, so a withdrawal takes effect in the very next export.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import Consent, Role, Service, User
from server.accounts.service import RESEARCH
from server.aggregation.loading import ScoredCheckins, load_scored_checkins
from server.audit import service as audit
from server.audit.service import AuditActor
from server.errors import Forbidden
from server.instruments.registry import InstrumentRegistry
from server.research.cohort import PersonPeriodMeans, coded_means, combine_means
from server.research.disclosure import PublishedAssociation, PublishedCell
from server.research.export import ResearchExport, build_export
from server.research.models import CohortAggregate
from server.research.periods import Granularity, period_keys
from server.sealing import session_keys

BATCH_PEOPLE = 500
GRANULARITIES: tuple[Granularity, ...] = ("week", "month")


def consenting_people(
    session: Session, *, consent_version: str
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(user id, service id) of every service user with current research consent, by user id."""
    statement = (
        sa.select(User.id, User.service_id)
        .join(Consent, Consent.user_id == User.id)
        .where(
            User.role == Role.SERVICE_USER.value,
            User.service_id.is_not(None),
            Consent.kind == RESEARCH,
            Consent.version == consent_version,
            Consent.withdrawn_at.is_(None),
        )
        .distinct()
        .order_by(User.id)
    )
    return [
        (user_id, service_id)
        for user_id, service_id in session.execute(statement)
        if service_id is not None
    ]


def compute_export(
    session: Session,
    *,
    granularity: Granularity,
    k: int,
    registry: InstrumentRegistry,
    consent_version: str,
    now: datetime,
) -> ResearchExport:
    """A fresh export from consenting people's live check-ins, read a batch of people at a time."""
    (export,) = compute_exports(
        session,
        granularities=(granularity,),
        k=k,
        registry=registry,
        consent_version=consent_version,
        now=now,
    ).values()
    return export


def compute_exports(
    session: Session,
    *,
    granularities: Sequence[Granularity],
    k: int,
    registry: InstrumentRegistry,
    consent_version: str,
    now: datetime,
) -> dict[Granularity, ResearchExport]:
    """Fresh exports for several kinds of period from one read of the check-ins."""
    rows = session.execute(sa.select(Service.id, Service.name).order_by(Service.name, Service.id))
    named = list(rows)
    services = {code: name for code, (_, name) in enumerate(named)}
    service_code = {service_id: code for code, (service_id, _) in enumerate(named)}
    people = consenting_people(session, consent_version=consent_version)
    parts: dict[Granularity, list[PersonPeriodMeans]] = {g: [] for g in granularities}
    for start, batch in _batches(people):
        loaded = load_scored_checkins(session, user_ids=[u for u, _ in batch], registry=registry)
        for granularity in granularities:
            parts[granularity].append(_batch_means(loaded, batch, start, service_code, granularity))
        # Keys and opened scores go with the batch, so memory stays one batch deep.
        session_keys(session).forget()
    return {
        granularity: build_export(
            # pop: the parts are released as they are combined (combine_means clears them).
            means=combine_means(parts.pop(granularity)),
            services=services,
            granularity=granularity,
            k=k,
            registry=registry,
            consent_version=consent_version,
            computed_at=now,
        )
        for granularity in granularities
    }


def _batches(
    people: Sequence[tuple[uuid.UUID, uuid.UUID]],
) -> Iterator[tuple[int, Sequence[tuple[uuid.UUID, uuid.UUID]]]]:
    for start in range(0, len(people), BATCH_PEOPLE):
        yield start, people[start : start + BATCH_PEOPLE]


def _batch_means(
    loaded: ScoredCheckins,
    batch: Sequence[tuple[uuid.UUID, uuid.UUID]],
    start: int,
    service_code: dict[uuid.UUID, int],
    granularity: Granularity,
) -> PersonPeriodMeans:
    """Person-period means of one batch; people are numbered by their place in the export."""
    # loaded.user_ids is the batch's ids sorted, as the batch itself is.
    codes = np.arange(start, start + len(batch), dtype=np.int64)
    services = np.array([service_code[s] for _, s in batch], dtype=np.int64)
    measures = list(loaded.measures)
    rows = [loaded.measures[text][0] for text in measures]
    every = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    owner = loaded.person[every]
    period_key, period_names = period_keys(time=loaded.time[every], granularity=granularity)
    return coded_means(
        person=codes[owner],
        service=services[owner],
        period_key=period_key,
        period_names=period_names,
        measure=np.repeat(np.arange(len(measures), dtype=np.int64), [len(r) for r in rows]),
        measures=measures,
        value=(
            np.concatenate([loaded.measures[text][1] for text in measures])
            if measures
            else np.zeros(0)
        ),
    )


def store_exports(
    session: Session,
    *,
    k: int,
    registry: InstrumentRegistry,
    consent_version: str,
    now: datetime,
) -> int:
    """Compute and store the weekly and monthly exports (the nightly job); returns rows kept."""
    # Read before the exports, so a consent changed meanwhile makes the stored ones stale.
    digest = population_digest(consenting_people(session, consent_version=consent_version))
    exports = compute_exports(
        session,
        granularities=GRANULARITIES,
        k=k,
        registry=registry,
        consent_version=consent_version,
        now=now,
    )
    for granularity, export in exports.items():
        row = session.get(CohortAggregate, granularity)
        if row is None:
            row = CohortAggregate(period=granularity)
            session.add(row)
        row.document, row.computed_at = export.document(), now
        row.population_digest = digest
        session.flush()
    audit.record(
        session,
        actor=AuditActor(id=None, role="system"),
        action="research.export.compute",
        now=now,
        details={"periods": list(GRANULARITIES), "k": k},
    )
    return len(GRANULARITIES)


def research_export(
    session: Session,
    *,
    actor: Actor,
    granularity: Granularity,
    file_format: str,
    k: int,
    registry: InstrumentRegistry,
    consent_version: str,
    now: datetime,
) -> ResearchExport:
    """The export a researcher downloads: stored if still current, fresh otherwise; audited."""
    if actor.role is not Role.RESEARCHER:
        raise Forbidden("Only researchers download research exports.")
    export = _current_stored(session, granularity=granularity, k=k, consent_version=consent_version)
    source = "stored"
    if export is None:
        source = "computed"
        export = compute_export(
            session,
            granularity=granularity,
            k=k,
            registry=registry,
            consent_version=consent_version,
            now=now,
        )
    audit.record(
        session,
        actor=actor.audit,
        action="research.export",
        now=now,
        details={"period": granularity, "format": file_format, "source": source, "k": k},
    )
    return export


def population_digest(people: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> str:
    """SHA-256 over the consenting people and their services: changes with any consent."""
    digest = hashlib.sha256()
    for user_id, service_id in people:
        digest.update(user_id.bytes + service_id.bytes)
    return digest.hexdigest()


def _current_stored(
    session: Session, *, granularity: Granularity, k: int, consent_version: str
) -> ResearchExport | None:
    row = session.get(CohortAggregate, granularity)
    if row is None:
        return None
    manifest = row.document["manifest"]
    if (
        manifest["disclosure_control"]["min_cell_people"] != k
        or manifest["consent_version"] != consent_version
    ):
        return None
    # A withdrawal, a new grant or an erasure since: the stored export counts the wrong people.
    people = consenting_people(session, consent_version=consent_version)
    if row.population_digest != population_digest(people):
        return None
    return from_document(granularity, row.document)


def from_document(granularity: Granularity, document: dict[str, object]) -> ResearchExport:
    """A stored export back as a ResearchExport, to be served as JSON or CSV."""
    aggregates = document["aggregates"]
    associations = document["associations"]
    assert isinstance(aggregates, list)
    assert isinstance(associations, list)
    return ResearchExport(
        granularity=granularity,
        aggregates=[PublishedCell(**row) for row in aggregates],
        associations=[PublishedAssociation(**row) for row in associations],
        codebook=document["codebook"],  # type: ignore[arg-type]
        manifest=document["manifest"],  # type: ignore[arg-type]
    )
