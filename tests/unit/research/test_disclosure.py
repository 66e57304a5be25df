"""Disclosure control: no cell describes fewer than k people, directly or by subtraction."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server import create_app
from server.instruments.registry import InstrumentRegistry
from server.research.disclosure import (
    ALL_SERVICES,
    check_min_cell,
    choose_suppressed,
    round_count,
)
from server.research.export import build_export, occasion_means
from server.research.periods import period_labels

REGISTRY = InstrumentRegistry.load()
HOPE = "alongside-checkin@1/hope"
WHO5 = "who5@1/wellbeing"
NOVEMBER = datetime(2026, 11, 2, tzinfo=UTC).timestamp()
DAY = 86_400.0


def export_of(occasions, services, consenting, k, granularity="week"):
    """occasions: (person, service, day offset, measure, value)."""
    columns = list(zip(*occasions, strict=True)) if occasions else [[], [], [], [], []]
    person, service, day, measure, value = (list(c) for c in columns)
    means = occasion_means(
        person=person,
        service=service,
        time=[NOVEMBER + d * DAY for d in day],
        measure=measure,
        value=value,
        consenting=consenting,
        granularity=granularity,
    )
    return build_export(
        means=means,
        services=services,
        granularity=granularity,
        k=k,
        registry=REGISTRY,
        consent_version="2026-11",
        computed_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )


@st.composite
def cohorts(draw):
    service_count = draw(st.integers(1, 4))
    services = {code: f"Service {chr(65 + code)}" for code in range(service_count)}
    people = draw(st.integers(0, 60))
    home = [draw(st.integers(0, service_count - 1)) for _ in range(people)]
    consenting = [p for p in range(people) if draw(st.booleans()) or draw(st.booleans())]
    occasions = []
    for p in range(people):
        visits = draw(
            st.lists(
                st.tuples(st.integers(0, 20), st.sampled_from([HOPE, WHO5]), st.integers(0, 10)),
                max_size=6,
            )
        )
        for day, measure, value in visits:
            scale = 10.0 if measure == WHO5 else 1.0
            occasions.append((p, home[p], day, measure, value * scale))
    k = draw(st.integers(5, 12))
    return occasions, services, consenting, k


@settings(max_examples=300, deadline=None)
@given(cohorts())
def test_no_cell_describes_fewer_than_k_people_directly_or_by_subtraction(cohort):
    occasions, services, consenting, k = cohort
    export = export_of(occasions, services, consenting, k)

    # The truth, computed here without the export code: distinct consenting people per cell.
    allowed = set(consenting)
    labels = period_labels(time=[NOVEMBER + o[2] * DAY for o in occasions], granularity="week")
    truth: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for (p, service, _, measure, _), label in zip(occasions, labels.tolist(), strict=True):
        if p in allowed:
            truth[(services[service], label, measure)].add(p)
            truth[(ALL_SERVICES, label, measure)].add(p)

    groups = defaultdict(list)
    for row in export.aggregates:
        people = len(truth[(row.service, row.period, row.measure)])
        if not row.suppressed:
            assert people >= k, row  # directly
            assert row.n == round_count(people)
        groups[(row.period, row.measure)].append((row, people))
    for rows in groups.values():
        total = [row for row, _ in rows if row.service == ALL_SERVICES]
        assert len(total) == 1
        assert {row.service for row, _ in rows} == {*services.values(), ALL_SERVICES}
        if not total[0].suppressed:
            # Total minus every published service cell = the suppressed cells together.
            hidden = sum(people for row, people in rows if row.suppressed)
            assert hidden == 0 or hidden >= k
    for association in export.associations:
        if not association.suppressed:
            assert association.people is not None
            assert association.people >= round_count(k)
    for row in export.document()["aggregates"]:
        assert not {"min", "max", "minimum", "maximum"} & set(row)


@pytest.mark.parametrize(
    ("counts", "k", "hidden", "total_hidden"),
    [
        ([30, 20, 12], 10, [False, False, False], False),
        ([30, 20, 3], 10, [False, True, True], False),  # the next smallest goes too
        ([30, 4, 3], 10, [True, True, True], False),  # 7 hidden < 10: the last one too
        ([30, 4, 3, 0], 10, [True, True, True, True], False),
        ([30, 0], 10, [False, True], False),  # an empty cell hides nobody
        ([4, 3], 10, [True, True], True),
        ([40, 6, 6], 10, [False, True, True], False),
    ],
)
def test_complementary_suppression(counts, k, hidden, total_hidden):
    assert choose_suppressed(counts, k) == (hidden, total_hidden)


def test_k_is_never_below_five_and_counts_round_to_five():
    assert check_min_cell(5) == 5
    for bad in (4, 0, -1, True):
        with pytest.raises(ValueError, match="at least 5 people"):
            check_min_cell(bad)
    assert [round_count(n) for n in (10, 12, 13, 17, 18, 1001)] == [10, 10, 15, 15, 20, 1000]


def test_a_total_is_rounded_from_unrounded_data():
    # Two services of 12 people: each published as 10, the total of 24 as 25 (not 20).
    occasions = [(p, p // 12, 0, HOPE, 5.0) for p in range(24)]
    export = export_of(occasions, {0: "North", 1: "South"}, range(24), k=10)
    assert [(row.service, row.n) for row in export.aggregates] == [
        ("North", 10),
        ("South", 10),
        (ALL_SERVICES, 25),
    ]


def test_export_files_carry_codebook_and_manifest_and_nothing_finer_than_a_period(tmp_path):
    occasions = [(p, 0, p % 7, m, 6.0 + p % 3) for p in range(15) for m in (HOPE, WHO5)]
    export = export_of(occasions, {0: "=North"}, range(15), k=10, granularity="month")
    written = {path.name for path in export.write(tmp_path)}
    assert written == {
        "alongside-month-aggregates.csv",
        "alongside-month-associations.csv",
        "alongside-month-aggregates.json",
        "alongside-month-codebook.json",
        "alongside-month-manifest.json",
    }
    manifest = json.loads((tmp_path / "alongside-month-manifest.json").read_text())
    assert manifest["disclosure_control"]["min_cell_people"] == 10
    assert manifest["computed_at"] == "2026-12-01T02:00:00Z"
    assert manifest["periods"] == ["2026-11"]
    assert manifest["software_version"]
    codebook = json.loads((tmp_path / "alongside-month-codebook.json").read_text())
    who5 = codebook["measures"][WHO5]
    assert who5["units"] == "score points, 0 to 100"
    assert "Psychiatric Centre North Zealand" in who5["licence"]["name"]
    assert set(codebook["aggregates"]) == set(
        next(csv.reader(io.StringIO((tmp_path / "alongside-month-aggregates.csv").read_text())))
    )
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / "alongside-month-aggregates.csv").read_text()))
    )
    assert rows[0] == {
        "service": "'=North",  # never a spreadsheet formula
        "period": "2026-11",
        "measure": HOPE,
        "n": "15",
        "mean": "7.00",
        "sd": "0.85",
        "median": "7.00",
        "q1": "6.00",
        "q3": "8.00",
        "suppressed": "false",
    }
    with zipfile.ZipFile(io.BytesIO(export.zip_bytes())) as archive:
        assert "alongside-month-codebook.json" in archive.namelist()
        assert "alongside-month-manifest.json" in archive.namelist()


def test_the_app_refuses_a_min_cell_below_five(tmp_path):
    with pytest.raises(RuntimeError, match="ALONGSIDE_RESEARCH_MIN_CELL"):
        create_app(
            {"RESEARCH_MIN_CELL": 4, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"},
            environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
        )
