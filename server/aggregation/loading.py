"""Reading many people's live check-ins at once, scores opened in bulk, as sorted numpy rows.

Summaries and research exports both start here. Deleted check-ins (tombstones)
are never read. Rows come back sorted by person, then effective time, then id, so
the grouped numpy code can treat each person as one contiguous run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.aggregation.grouped import BoolArray, FloatArray, IntArray
from server.aggregation.measure_key import MeasureKey, measure_rule
from server.aggregation.measures import MeasureSeries
from server.checkins.models import Checkin
from server.instruments.registry import InstrumentRegistry, UnknownInstrumentError
from server.sealing import Sealed, session_keys

_SCORES: Sealed[Any] = Checkin.__dict__["scores"]


@dataclass(frozen=True)
class ScoredCheckins:
    """Live check-ins of some people: one row each, sorted by person and effective time."""

    user_ids: tuple[uuid.UUID, ...]  # person index -> user id
    person: IntArray
    time: FloatArray  # effective time, POSIX seconds
    shared: BoolArray
    # Per measure key: the check-in rows that scored it, in row order, and the scores.
    measures: dict[str, tuple[IntArray, FloatArray]]

    def series(self, registry: InstrumentRegistry, rows: BoolArray) -> list[MeasureSeries]:
        """Every measure's series over the chosen check-in rows (all, or the shared ones)."""
        found = []
        for text, (index, score) in sorted(self.measures.items()):
            key = MeasureKey.parse(text)
            keep = index[rows[index]]
            found.append(
                MeasureSeries(
                    key=key,
                    rule=measure_rule(registry, key),
                    person=self.person[keep],
                    time=self.time[keep],
                    score=score[rows[index]],
                )
            )
        return found


def load_scored_checkins(
    session: Session, *, user_ids: Sequence[uuid.UUID], registry: InstrumentRegistry
) -> ScoredCheckins:
    """The live check-ins of these people (person index = position in sorted user ids)."""
    people = tuple(sorted(set(user_ids)))
    index_of = {user_id: position for position, user_id in enumerate(people)}
    keys = session_keys(session)
    keys.prefetch(people)
    statement = sa.select(
        Checkin.id, Checkin.user_id, Checkin.effective_at, Checkin.shared, Checkin.scores_sealed
    ).where(Checkin.user_id.in_(people), Checkin.deleted.is_(False))
    person: list[int] = []
    time: list[float] = []
    shared: list[bool] = []
    ids: list[int] = []
    entries: dict[str, tuple[list[int], list[float]]] = {}
    for row_id, user_id, effective_at, is_shared, token in session.execute(statement):
        row = len(person)
        person.append(index_of[user_id])
        time.append(effective_at.timestamp())
        shared.append(bool(is_shared))
        ids.append(row_id.int)
        if token is None:
            continue
        opened = keys.open(_SCORES.context, row_id=row_id, user_id=user_id, token=token)
        for text, score in _measure_scores(json.loads(opened), registry):
            rows, values = entries.setdefault(text, ([], []))
            rows.append(row)
            values.append(score)
    return _sorted(people, person, time, shared, ids, entries)


def _measure_scores(
    scores: dict[str, dict[str, dict[str, Any]]], registry: InstrumentRegistry
) -> list[tuple[str, float]]:
    """(measure key, score) for every domain this check-in scored; unscorable ones skipped."""
    found = []
    for instrument_key, domains in scores.items():
        instrument_id, _, version = instrument_key.partition("@")
        try:
            registry.get(instrument_id, int(version))
        except (UnknownInstrumentError, ValueError):
            continue  # a plug-in since removed: nothing to score it against
        for domain, result in domains.items():
            score = result.get("score")
            if score is not None:
                found.append((f"{instrument_key}/{domain}", float(score)))
    return found


def _sorted(
    people: tuple[uuid.UUID, ...],
    person: list[int],
    time: list[float],
    shared: list[bool],
    ids: list[int],
    entries: dict[str, tuple[list[int], list[float]]],
) -> ScoredCheckins:
    person_array = np.array(person, dtype=np.int64)
    time_array = np.array(time, dtype=np.float64)
    # Ties in effective time are broken by check-in id, so every run orders rows alike.
    tie = (
        np.array([i >> 64 for i in ids], dtype=np.uint64),
        np.array([i & 0xFFFFFFFFFFFFFFFF for i in ids], dtype=np.uint64),
    )
    order = np.lexsort((tie[1], tie[0], time_array, person_array))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    measures = {}
    for text, (rows, values) in entries.items():
        new_rows = rank[np.array(rows, dtype=np.int64)]
        by_row = np.argsort(new_rows, kind="stable")
        measures[text] = (new_rows[by_row], np.array(values, dtype=np.float64)[by_row])
    return ScoredCheckins(
        user_ids=people,
        person=person_array[order],
        time=time_array[order],
        shared=np.array(shared, dtype=bool)[order],
        measures=measures,
    )
