"""Reading many people's live check-ins at once, scores opened in bulk, as sorted numpy rows.

Summaries and research exports both start here. Deleted check-ins (tombstones)
are never read. Rows come back sorted by person, then effective time, then id, so
the grouped numpy code can treat each person as one contiguous run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
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
    keys = session_keys(session)
    keys.prefetch(people)
    # The hot loop runs once per check-in (a million in the benchmark): raw driver values
    # (no per-value type processing), each person's key looked up once, measure names
    # built once per instrument domain, and orjson (4x the standard json module here).
    by_raw: dict[Any, tuple[int, uuid.UUID, Any]] = {}
    by_id = {
        user_id: (index, user_id, keys.key_for(user_id)) for index, user_id in enumerate(people)
    }
    known: dict[str, bool] = {}
    names: dict[tuple[str, str], str] = {}
    context = _SCORES.context
    person: list[int] = []
    time: list[float] = []
    shared: list[bool] = []
    entries: dict[str, tuple[list[int], list[float]]] = {}
    found = session.connection().execute(_statement(people)).all()
    for raw_id, raw_user, raw_time, is_shared, token in found:
        owner = by_raw.get(raw_user)
        if owner is None:
            owner = by_raw[raw_user] = by_id[_as_uuid(raw_user)]
        index, user_id, data_key = owner
        row = len(person)
        person.append(index)
        time.append(_as_seconds(raw_time))
        shared.append(bool(is_shared))
        if token is None:
            continue
        scores = orjson.loads(data_key.open(token, context, _as_uuid(raw_id), user_id))
        for instrument_key, domains in scores.items():
            usable = known.get(instrument_key)
            if usable is None:
                usable = known[instrument_key] = _known(registry, instrument_key)
            if not usable:
                continue
            for domain, result in domains.items():
                score = result.get("score")
                if score is None:
                    continue
                name = names.get((instrument_key, domain))
                if name is None:
                    name = names[(instrument_key, domain)] = f"{instrument_key}/{domain}"
                rows, values = entries.setdefault(name, ([], []))
                rows.append(row)
                values.append(score)
    return _arrays(people, person, time, shared, entries)


def _statement(people: Sequence[uuid.UUID]) -> sa.Select[Any]:
    table = Checkin.__table__
    raw = sa.types.NullType()
    return (
        sa.select(
            sa.type_coerce(table.c.id, raw),
            sa.type_coerce(table.c.user_id, raw),
            sa.type_coerce(table.c.effective_at, raw),
            table.c.shared,
            table.c.scores_sealed,
        )
        .where(table.c.user_id.in_(people), table.c.deleted.is_(False))
        # UUIDs order alike in Python, SQLite (hex text) and PostgreSQL (bytes), so rows come
        # sorted by person index; the id breaks ties so every run orders rows alike.
        .order_by(table.c.user_id, table.c.effective_at, table.c.id)
    )


def _as_uuid(raw: Any) -> uuid.UUID:
    # SQLite keeps UUIDs as 32 hex digits; PostgreSQL's driver already returns UUIDs.
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(hex=raw)


def _as_seconds(raw: Any) -> float:
    # SQLite keeps naive UTC text (server.database.UTCDateTime); PostgreSQL returns datetimes.
    moment = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _known(registry: InstrumentRegistry, instrument_key: str) -> bool:
    """Whether scores under this key can be summarised (a removed plug-in cannot)."""
    instrument_id, _, version = instrument_key.partition("@")
    try:
        registry.get(instrument_id, int(version))
    except (UnknownInstrumentError, ValueError):
        return False
    return True


def _arrays(
    people: tuple[uuid.UUID, ...],
    person: list[int],
    time: list[float],
    shared: list[bool],
    entries: dict[str, tuple[list[int], list[float]]],
) -> ScoredCheckins:
    person_array = np.array(person, dtype=np.int64)
    time_array = np.array(time, dtype=np.float64)
    shared_array = np.array(shared, dtype=bool)
    measures = {
        text: (np.array(rows, dtype=np.int64), np.array(values, dtype=np.float64))
        for text, (rows, values) in entries.items()
    }
    in_order = bool(
        np.all(
            (person_array[1:] > person_array[:-1])
            | ((person_array[1:] == person_array[:-1]) & (time_array[1:] >= time_array[:-1]))
        )
    )
    if not in_order:  # only if a database ever ordered UUIDs differently: sort here instead
        order = np.lexsort((time_array, person_array))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        person_array, time_array, shared_array = (
            person_array[order],
            time_array[order],
            shared_array[order],
        )
        for text, (rows, values) in list(measures.items()):
            moved = rank[rows]
            by_row = np.argsort(moved, kind="stable")
            measures[text] = (moved[by_row], values[by_row])
    return ScoredCheckins(
        user_ids=people,
        person=person_array,
        time=time_array,
        shared=shared_array,
        measures=measures,
    )
