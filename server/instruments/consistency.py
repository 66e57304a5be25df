"""Cross-field rules for a definition that already satisfies the JSON Schema.

Each finding is a (JSON path, message) pair, in the same path style as the
schema's own errors, so both kinds of problem read alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from server.instruments.model import TOTAL

Finding = tuple[str, str]


def find_inconsistencies(definition: Mapping[str, Any]) -> list[Finding]:
    """Every cross-field problem in a schema-valid definition."""
    items: Sequence[Mapping[str, Any]] = definition["items"]
    scoring: Mapping[str, Any] = definition["scoring"]
    findings = [*_check_items(items)]
    domain_ids = [rule["id"] for rule in scoring["domains"]]
    findings += _check_domain_ids(domain_ids, items)
    ranges = {item["id"]: _item_range(item) for item in items}
    for index, rule in enumerate(scoring["domains"]):
        members = [item["id"] for item in items if item["domain"] == rule["id"]]
        path = f"$.scoring.domains[{index}]"
        if not members:
            findings.append((path, f"no item belongs to domain {rule['id']!r}"))
            continue
        findings += _check_rule(rule, path, [ranges[m] for m in members])
    total = scoring.get("total")
    if total is not None:
        covered = total.get("domains", domain_ids)
        for index, domain_id in enumerate(covered):
            if domain_id not in domain_ids:
                findings.append(
                    (f"$.scoring.total.domains[{index}]", _unknown(domain_id, domain_ids))
                )
        members = [item["id"] for item in items if item["domain"] in covered]
        if members:
            findings += _check_rule(total, "$.scoring.total", [ranges[m] for m in members])
    return findings


def _check_items(items: Sequence[Mapping[str, Any]]) -> Iterator[Finding]:
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        path = f"$.items[{index}]"
        if item["id"] in first_seen:
            yield (
                f"{path}.id",
                f"duplicate item id {item['id']!r} (also $.items[{first_seen[item['id']]}])",
            )
        first_seen.setdefault(item["id"], index)
        response = item["response"]
        kind = response["type"]
        if kind in ("scale", "count") and response["min"] >= response["max"]:
            yield (f"{path}.response.max", f"must be greater than min ({response['min']})")
        if kind == "scale":
            yield from _check_labelled(response["anchors"], f"{path}.response.anchors", response)
        if kind == "choice":
            yield from _check_labelled(response["options"], f"{path}.response.options", None)
            values = sorted(option["value"] for option in response["options"])
            contiguous = values == list(range(values[0], values[0] + len(values)))
            if item.get("reverse_keyed", False) and not contiguous:
                # min + max - answer would land between option codes.
                yield (
                    f"{path}.reverse_keyed",
                    "needs option values that are consecutive whole numbers",
                )


def _check_labelled(
    entries: Sequence[Mapping[str, Any]], path: str, bounds: Mapping[str, Any] | None
) -> Iterator[Finding]:
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        value = entry["value"]
        if value in seen:
            yield (f"{path}[{index}].value", f"{value} is listed twice")
        seen.add(value)
        if bounds is not None and not bounds["min"] <= value <= bounds["max"]:
            yield (
                f"{path}[{index}].value",
                f"{value} is outside {bounds['min']} to {bounds['max']}",
            )


def _check_domain_ids(
    domain_ids: list[str], items: Sequence[Mapping[str, Any]]
) -> Iterator[Finding]:
    for index, domain_id in enumerate(domain_ids):
        if domain_id == TOTAL:
            yield (f"$.scoring.domains[{index}].id", f"{TOTAL!r} is reserved for scoring.total")
        if domain_id in domain_ids[:index]:
            yield (f"$.scoring.domains[{index}].id", f"duplicate domain id {domain_id!r}")
    for index, item in enumerate(items):
        if item["domain"] not in domain_ids:
            yield (f"$.items[{index}].domain", _unknown(item["domain"], domain_ids))


def _check_rule(
    rule: Mapping[str, Any], path: str, ranges: list[tuple[int, int]]
) -> Iterator[Finding]:
    count = len(ranges)
    if rule["min_answered"] > count:
        yield (
            f"{path}.min_answered",
            f"is {rule['min_answered']} but only {count} items count towards it",
        )
    elif not rule["prorate"] and rule["min_answered"] != count:
        yield (
            f"{path}.min_answered",
            f"must be {count} (every item) when prorate is false",
        )
    uppers = [band["upper"] for band in rule.get("bands", ())]
    for index in range(1, len(uppers)):
        if uppers[index] <= uppers[index - 1]:
            yield (
                f"{path}.bands[{index}].upper",
                f"must be greater than the previous band's upper bound {uppers[index - 1]}",
            )
    transform = rule.get("transform")
    if transform is not None and transform["type"] == "lookup":
        low, high = _raw_range(rule["method"], ranges)
        table = {int(raw) for raw in transform["table"]}
        missing = [raw for raw in range(low, high + 1) if raw not in table]
        if missing:
            shown = ", ".join(str(raw) for raw in missing[:10]) + (
                " ..." if len(missing) > 10 else ""
            )
            yield (
                f"{path}.transform.table",
                f"has no entry for raw scores {shown} "
                f"(needs every whole number from {low} to {high})",
            )


def _item_range(item: Mapping[str, Any]) -> tuple[int, int]:
    response = item["response"]
    if response["type"] == "yes_no":
        return (0, 1)
    if response["type"] == "choice":
        values = [option["value"] for option in response["options"]]
        return (min(values), max(values))
    return (response["min"], response["max"])


def _raw_range(method: str, ranges: list[tuple[int, int]]) -> tuple[int, int]:
    # The whole raw scores a rule can produce; a lookup table must cover them all.
    low = sum(r[0] for r in ranges)
    high = sum(r[1] for r in ranges)
    if method == "mean":
        return (math.ceil(low / len(ranges)), math.floor(high / len(ranges)))
    return (low, high)


def _unknown(domain_id: str, known: list[str]) -> str:
    return f"no scoring domain {domain_id!r} (defined: {', '.join(known)})"
