"""One research export: scored occasions in, disclosure-controlled tables and their papers out.

Pure: the service reads consenting people's scores from the database and calls
build_export; the route and ``alongside export`` only write what comes back. CSV
and JSON carry the same rows; every export carries its codebook and manifest.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from numpy.typing import ArrayLike

from server.aggregation.measure_key import MeasureKey, measure_rule
from server.instruments.model import MECHANISMS
from server.instruments.registry import InstrumentRegistry
from server.research.association import within_person_associations
from server.research.codebook import codebook, manifest
from server.research.cohort import PersonPeriodMeans, cohort_cells, person_period_means
from server.research.disclosure import (
    DECIMALS,
    PublishedAssociation,
    PublishedCell,
    check_min_cell,
    publish_associations,
    publish_cells,
)
from server.research.periods import Granularity, period_labels

WELLBEING = "wellbeing"
PROCESS_MECHANISMS = tuple(m for m in MECHANISMS if m != WELLBEING)


@dataclass(frozen=True)
class ResearchExport:
    """The published tables with their codebook and manifest."""

    granularity: Granularity
    aggregates: list[PublishedCell]
    associations: list[PublishedAssociation]
    codebook: dict[str, Any]
    manifest: dict[str, Any]

    def document(self) -> dict[str, Any]:
        """Everything as one JSON-ready document."""
        return {
            "manifest": self.manifest,
            "codebook": self.codebook,
            "aggregates": [asdict(row) for row in self.aggregates],
            "associations": [asdict(row) for row in self.associations],
        }

    def files(self) -> dict[str, bytes]:
        """File name -> content: both tables as CSV and JSON, the codebook and the manifest."""
        stem = f"alongside-{self.granularity}"
        return {
            f"{stem}-aggregates.csv": _csv(PublishedCell, self.aggregates),
            f"{stem}-associations.csv": _csv(PublishedAssociation, self.associations),
            f"{stem}-aggregates.json": _json(self.document()),
            f"{stem}-codebook.json": _json(self.codebook),
            f"{stem}-manifest.json": _json(self.manifest),
        }

    def zip_bytes(self) -> bytes:
        """The CSV export: one zip holding every file, so the papers travel with the tables."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.files().items():
                if not name.endswith("aggregates.json"):
                    archive.writestr(name, content)
        return buffer.getvalue()

    def write(self, directory: Path) -> list[Path]:
        """Write every file into directory (created if missing); returns the paths."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, content in self.files().items():
            path = directory / name
            path.write_bytes(content)
            written.append(path)
        return written


def build_export(
    *,
    means: PersonPeriodMeans,
    services: Mapping[int, str],
    granularity: Granularity,
    k: int,
    registry: InstrumentRegistry,
    consent_version: str,
    computed_at: datetime,
) -> ResearchExport:
    """Cohort cells and within-person associations of consenting people, ready to publish."""
    check_min_cell(k)
    process, wellbeing = _process_and_wellbeing(registry, means.measures)
    associations = within_person_associations(means=means, process=process, wellbeing=wellbeing)
    pairs = [(p, w) for p in process for w in wellbeing]
    return ResearchExport(
        granularity=granularity,
        aggregates=publish_cells(cells=cohort_cells(means=means), services=services, k=k),
        associations=publish_associations(
            associations=associations, services=services, pairs=pairs, k=k
        ),
        codebook=codebook(registry=registry, measures=means.measures),
        manifest=manifest(
            granularity=granularity,
            k=k,
            consent_version=consent_version,
            computed_at=computed_at,
            periods=means.periods,
            measures=means.measures,
            services=len(services),
        ),
    )


def occasion_means(
    *,
    person: ArrayLike,
    service: ArrayLike,
    time: ArrayLike,
    measure: ArrayLike,
    value: ArrayLike,
    consenting: ArrayLike,
    granularity: Granularity,
) -> PersonPeriodMeans:
    """Person-period means from one row per scored occasion (effective time in POSIX seconds)."""
    return person_period_means(
        person=person,
        service=service,
        period=period_labels(time=time, granularity=granularity),
        measure=measure,
        value=value,
        consenting=consenting,
    )


def _process_and_wellbeing(
    registry: InstrumentRegistry, measures: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split the measures present by their change-model mechanism (DESIGN.md section 1)."""
    process, wellbeing = [], []
    for text in measures:
        mechanism = measure_rule(registry, MeasureKey.parse(text)).mechanism
        if mechanism == WELLBEING:
            wellbeing.append(text)
        elif mechanism in PROCESS_MECHANISMS:
            process.append(text)
    order = {m: i for i, m in enumerate(MECHANISMS)}
    process.sort(
        key=lambda t: (order.get(measure_rule(registry, MeasureKey.parse(t)).mechanism or "", 0), t)
    )
    return tuple(process), tuple(wellbeing)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.{DECIMALS}f}"
    text = str(value)
    # A service name typed as "=..." must not become a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv(kind: type, rows: Sequence[Any]) -> bytes:
    names = [f.name for f in fields(kind)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell_text(getattr(row, name)) for name in names])
    return buffer.getvalue().encode("utf-8")


def _json(document: object) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
