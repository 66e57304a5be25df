"""Read instrument definition files, validate them, and build Instrument values.

A bad definition must stop start-up with a message a site administrator can act
on: the file, the JSON path inside it, and what is wrong (DESIGN.md section 7).

Skipped versus not applicable: an answer of "na" (allowed only where the item
says so) is recorded in a separate mask, never as a number. Neither kind of
answer counts towards a domain's answered items. A domain that ends up without
a score is flagged ``not_applicable`` when none of its items carries a value and
at least one was marked not applicable (for example, no contact with the peer
worker since last time); otherwise it is simply missing. Summaries treat the
first as "nothing to measure" and the second as a gap in the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft202012Validator

from server.instruments.consistency import find_inconsistencies
from server.instruments.model import (
    Band,
    DomainScoring,
    Instrument,
    Item,
    LabelledValue,
    Licence,
    ReliableChange,
    Source,
    Transform,
    canonical_json,
)

BUILTIN_DIRECTORY = Path(str(resources.files("server.instruments") / "definitions"))

# Enough to fix a file in one pass without burying the first problem.
MAX_PROBLEMS_REPORTED = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, located by JSON path."""

    path: str
    message: str


class InstrumentDefinitionError(Exception):
    """A definition file cannot be used; says which file, where, and why."""

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        shown = self.problems[:MAX_PROBLEMS_REPORTED]
        lines = [f"{file}: {problem.path}: {problem.message}" for problem in shown]
        hidden = len(self.problems) - len(shown)
        if hidden:
            lines.append(f"{file}: ... and {hidden} more problems")
        super().__init__("\n".join(lines))


@cache
def _validator() -> Draft202012Validator:
    schema_text = resources.files("server.instruments") / "schema" / "instrument.schema.json"
    schema = json.loads(schema_text.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def instrument_schema() -> dict[str, Any]:
    """The JSON Schema every definition must satisfy."""
    return cast(dict[str, Any], json.loads(json.dumps(_validator().schema)))


def read_definition(path: Path) -> Instrument:
    """Load, validate and build the instrument in one JSON file."""
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentDefinitionError(origin, [Problem("$", f"cannot be read: {exc}")]) from exc
    try:
        document = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKeyError as exc:
        raise InstrumentDefinitionError(origin, [Problem("$", str(exc))]) from exc
    except json.JSONDecodeError as exc:
        problem = Problem(
            "$", f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        )
        raise InstrumentDefinitionError(origin, [problem]) from exc
    return parse_definition(document, origin=origin)


def parse_definition(document: object, *, origin: str) -> Instrument:
    """Validate a parsed JSON definition and build its Instrument."""
    schema_problems = [
        Problem(error.json_path, error.message)
        for error in sorted(_validator().iter_errors(document), key=lambda e: e.json_path)
    ]
    if schema_problems:
        raise InstrumentDefinitionError(origin, schema_problems)
    definition = cast(dict[str, Any], document)
    inconsistencies = [Problem(path, message) for path, message in find_inconsistencies(definition)]
    if inconsistencies:
        raise InstrumentDefinitionError(origin, inconsistencies)
    return _build_instrument(definition, origin=origin)


def read_directory(directory: Path) -> list[Instrument]:
    """Every ``*.json`` definition in a directory, in file-name order."""
    return [read_definition(path) for path in sorted(directory.glob("*.json")) if path.is_file()]


def _build_instrument(definition: Mapping[str, Any], *, origin: str) -> Instrument:
    items = tuple(_build_item(item) for item in definition["items"])
    scoring = definition["scoring"]
    domains = tuple(
        _build_rule(rule, rule["id"], [item.id for item in items if item.domain == rule["id"]])
        for rule in scoring["domains"]
    )
    total = None
    if "total" in scoring:
        rule = scoring["total"]
        covered = set(rule.get("domains", [domain.id for domain in domains]))
        total = _build_rule(rule, "total", [item.id for item in items if item.domain in covered])
    licence = definition["licence"]
    source = definition["source"]
    return Instrument(
        id=definition["id"],
        version=definition["version"],
        title=definition["title"],
        language=definition["language"],
        licence=Licence(name=licence["name"], terms=licence["terms"], url=licence.get("url")),
        source=Source(
            citation=source["citation"], url=source.get("url"), notes=source.get("notes")
        ),
        recall_period=definition["recall_period"],
        default_cadence_days=definition["default_cadence_days"],
        items=items,
        domains=domains,
        total=total,
        instructions=definition.get("instructions"),
        canonical_json=canonical_json(definition),
        origin=origin,
    )


def _build_item(item: Mapping[str, Any]) -> Item:
    response = item["response"]
    kind = response["type"]
    anchors = tuple(LabelledValue(a["value"], a["label"]) for a in response.get("anchors", ()))
    options = tuple(LabelledValue(o["value"], o["label"]) for o in response.get("options", ()))
    if kind == "yes_no":
        minimum, maximum = 0, 1
    elif kind == "choice":
        minimum, maximum = min(o.value for o in options), max(o.value for o in options)
    else:
        minimum, maximum = response["min"], response["max"]
    return Item(
        id=item["id"],
        text=item["text"],
        response_type=kind,
        minimum=minimum,
        maximum=maximum,
        domain=item["domain"],
        anchors=anchors,
        options=options,
        unit=response.get("unit"),
        reverse_keyed=item.get("reverse_keyed", False),
        optional=item.get("optional", False),
        allow_not_applicable=item.get("allow_not_applicable", False),
        not_applicable_label=item.get("not_applicable_label"),
        tags=tuple(item.get("tags", ())),
    )


def _build_rule(rule: Mapping[str, Any], rule_id: str, item_ids: list[str]) -> DomainScoring:
    reliable = rule.get("reliable_change")
    return DomainScoring(
        id=rule_id,
        label=rule["label"],
        item_ids=tuple(item_ids),
        method=rule["method"],
        min_answered=rule["min_answered"],
        prorate=rule["prorate"],
        direction=rule["direction"],
        transform=_build_transform(rule.get("transform")),
        bands=tuple(Band(float(b["upper"]), b["label"]) for b in rule.get("bands", ())),
        reliable_change=None
        if reliable is None
        else ReliableChange(
            sd=float(reliable["sd"]),
            reliability=float(reliable["reliability"]),
            provisional=reliable["provisional"],
            source=reliable["source"],
        ),
        mechanism=rule.get("mechanism"),
    )


def _build_transform(transform: Mapping[str, Any] | None) -> Transform:
    if transform is None:
        return Transform()
    if transform["type"] == "linear":
        return Transform(
            kind="linear", multiply=float(transform["multiply"]), add=float(transform["add"])
        )
    table = sorted((int(raw), float(score)) for raw, score in transform["table"].items())
    return Transform(kind="lookup", table=tuple(table))


class _DuplicateKeyError(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads silently keeps the last of two equal keys; in a hand-edited
    # definition that hides a copy-paste mistake, so refuse it.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKeyError(f"the key {key!r} appears twice in one object")
        seen[key] = value
    return seen
