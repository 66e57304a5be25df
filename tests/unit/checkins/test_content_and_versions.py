"""Batch scoring equals score_one; the spliced and stored pull JSON equal the parsed shape."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from server import crypto
from server.checkins.content import check_responses, instruments_label, score_checkins
from server.checkins.pull import _pulled_json
from server.checkins.versions import (
    CONTENT_CONTEXT,
    PULLED_CONTEXT,
    SCORES_CONTEXT,
    Version,
    seal_version,
)
from server.instruments.registry import InstrumentRegistry
from server.scoring.engine import score_one

REGISTRY = InstrumentRegistry.load()


def random_answers(instrument, rng):
    answers = {}
    for item in instrument.items:
        roll = rng.random()
        if roll < 0.15:
            continue
        if roll < 0.25:
            answers[item.id] = "na" if item.allow_not_applicable else None
        elif item.response_type == "yes_no":
            answers[item.id] = rng.choice([True, False])
        elif item.response_type == "choice":
            answers[item.id] = rng.choice(item.option_values)
        else:
            answers[item.id] = rng.randint(item.minimum, item.maximum)
    return answers


@pytest.mark.parametrize("instrument", list(REGISTRY), ids=lambda i: f"{i.id}@{i.version}")
def test_batch_scores_are_exactly_score_one(instrument):
    rng = random.Random(instrument.id)
    checkins = []
    while len(checkins) < 200:
        response = {
            "instrument": instrument.id,
            "version": instrument.version,
            "answers": random_answers(instrument, rng),
        }
        if not check_responses(REGISTRY, [response]):
            checkins.append([response])
    key = f"{instrument.id}@{instrument.version}"
    for responses, scores in zip(checkins, score_checkins(REGISTRY, checkins), strict=True):
        assert scores == {key: score_one(instrument, responses[0]["answers"])}


def test_scores_keep_the_order_instruments_were_answered_in():
    responses = [
        {"instrument": "who5", "version": 1, "answers": {"who5_calm": 3}},
        {"instrument": "alongside-checkin", "version": 1, "answers": {"hope_weeks_ahead": 4}},
    ]
    (scores,) = score_checkins(REGISTRY, [responses])
    assert list(scores) == ["who5@1", "alongside-checkin@1"]
    assert instruments_label(responses) == "who5@1 alongside-checkin@1"


KEY = crypto.DataKey(bytes(range(32)))


def raw_time(moment, style):
    """A time as each driver returns it: naive UTC text (SQLite) or aware, any zone (psycopg)."""
    if style == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.astimezone(timezone(timedelta(hours=-5)))


def sealed_row(version, content, scores, style="sqlite"):
    """The raw row pull reads for ``version``, content and scores sealed as push seals them."""

    def seal(value, context):
        if value is None:
            return None
        return KEY.seal(orjson.dumps(value), context, version.id, version.user_id)

    def raw_id(value):
        return value.hex if style == "sqlite" else value

    return (
        raw_id(version.id),
        raw_id(version.device_id),
        version.rev,
        raw_time(version.recorded_at, style),
        raw_time(version.changed_at, style),
        raw_time(version.received_at, style),
        version.clock_skew,
        version.shared,
        version.deleted,
        seal(content, CONTENT_CONTEXT),
        seal(scores, SCORES_CONTEXT),
        version.seq,
    )


def version(**overrides):
    moment = datetime(2026, 11, 20, 9, 15, 0, 120000, tzinfo=UTC)
    fields = {
        "id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "device_id": uuid.uuid4(),
        "rev": 3,
        "seq": 41,
        "recorded_at": moment,
        "changed_at": moment,
        "received_at": moment,
        "effective_at": moment,
        "clock_skew": False,
        "shared": True,
        "deleted": False,
        "instruments": "who5@1",
        **overrides,
    }
    return Version(**fields)


@pytest.mark.parametrize("style", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 20, 9, 15, 0, tzinfo=UTC),
        datetime(2026, 11, 20, 9, 15, 0, 120, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize(
    "content",
    [
        {"note": None, "responses": [{"instrument": "who5", "version": 1, "answers": {"a": 1}}]},
        {"note": 'quotes " and \\ and é and 🌧 and \n', "responses": []},
    ],
)
def test_spliced_pull_json_is_the_parsed_shape(content, moment, style):
    scores = {"who5@1": {"wellbeing": {"raw": 15.0, "score": 60.0, "band": None}}}
    later = moment + timedelta(seconds=3)
    opened = version(
        content=content, scores=scores, recorded_at=moment, changed_at=later, received_at=later
    )
    row = sealed_row(opened, content, scores, style)
    assert json.loads(_pulled_json(row, KEY, opened.user_id)) == opened.pulled()


@pytest.mark.parametrize("style", ["sqlite", "postgresql"])
def test_a_tombstone_has_no_data_or_scores_in_either_shape(style):
    tombstone = version(deleted=True, shared=False, instruments="")
    row = sealed_row(tombstone, None, None, style)
    assert json.loads(_pulled_json(row, None, tombstone.user_id)) == tombstone.pulled()
    assert tombstone.pulled()["data"] is None


class OneKey:
    """A session's keys holding just KEY: what seal_version asks of them."""

    def seal(self, context, *, row_id, user_id, plaintext):
        return KEY.seal(plaintext, context, row_id, user_id)


def stored_rendering(opened):
    """What push stores in pulled_sealed for ``opened``, opened again as the pull does."""
    sealed = seal_version(opened, OneKey()).pulled_sealed
    return KEY.open(sealed, PULLED_CONTEXT, opened.id, opened.user_id)


@pytest.mark.parametrize("style", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 20, 9, 15, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize(
    ("content", "scores"),
    [
        (
            {"note": None, "responses": [{"instrument": "who5", "version": 1, "answers": {}}]},
            {"who5@1": {"wellbeing": {"raw": 15.0, "score": 60.0, "band": None}}},
        ),
        (
            {"note": 'quotes " and \\ and é and 🌧 and \n', "responses": []},
            {"x@1": {"d": {"raw": 0.1 + 0.2, "score": 1e-07, "prorated": True}}},
        ),
        ({"note": "no scores", "responses": []}, None),
    ],
)
def test_the_stored_rendering_is_the_spliced_pull_json_byte_for_byte(
    content, scores, moment, style
):
    later = moment + timedelta(seconds=3)
    opened = version(
        content=content, scores=scores, recorded_at=moment, changed_at=later, received_at=later
    )
    spliced = _pulled_json(sealed_row(opened, content, scores, style), KEY, opened.user_id)
    assert stored_rendering(opened) == spliced
    assert stored_rendering(opened) == orjson.dumps(opened.pulled())


@pytest.mark.parametrize("style", ["sqlite", "postgresql"])
def test_a_tombstone_is_stored_rendered_too(style):
    tombstone = version(deleted=True, shared=False, instruments="", rev=4)
    spliced = _pulled_json(sealed_row(tombstone, None, None, style), None, tombstone.user_id)
    assert stored_rendering(tombstone) == spliced
    assert stored_rendering(tombstone) == orjson.dumps(tombstone.pulled())
    assert json.loads(stored_rendering(tombstone))["data"] is None


def test_the_stored_rendering_opens_only_as_its_own_rows_pulled_change():
    opened = version(content={"note": "x", "responses": []}, scores=None)
    sealed = seal_version(opened, OneKey()).pulled_sealed
    assert crypto.field_context("checkins", "pulled_sealed") == PULLED_CONTEXT
    for context, row_id in [
        (CONTENT_CONTEXT, opened.id),  # not as another column of the same row
        (PULLED_CONTEXT, uuid.uuid4()),  # not as the same column of another row
    ]:
        with pytest.raises(crypto.UnreadableError):
            KEY.open(sealed, context, row_id, opened.user_id)


def test_sealed_content_and_scores_are_their_own_compact_json():
    """Serialised once for both, content and scores are sealed exactly as they always were."""
    content = {"note": "é 🌧", "responses": [{"instrument": "who5", "version": 1, "answers": {}}]}
    scores = {"who5@1": {"wellbeing": {"raw": 0.1 + 0.2, "score": None, "band": "low"}}}
    opened = version(content=content, scores=scores)
    sealed = seal_version(opened, OneKey())
    for token, context, value in [
        (sealed.content_sealed, CONTENT_CONTEXT, content),
        (sealed.scores_sealed, SCORES_CONTEXT, scores),
    ]:
        assert KEY.open(token, context, opened.id, opened.user_id) == orjson.dumps(value)


def test_a_tombstone_seals_only_its_rendering():
    sealed = seal_version(version(deleted=True, instruments=""), OneKey())
    assert sealed.content_sealed is None
    assert sealed.scores_sealed is None
    assert sealed.pulled_sealed is not None
