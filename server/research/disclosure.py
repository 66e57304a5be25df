"""Statistical disclosure control for cohort aggregates (DESIGN.md section 8).

UK practice (NHS Digital, ONS), applied to every table this package publishes:

- **k counts distinct people.** A cell is each person's own mean (cohort.py), so
  n is people, never check-ins. k defaults to 10 and is refused below 5.
- **Primary suppression**: a cell describing fewer than k people is suppressed.
  The table is a complete grid (every service x period x measure, empty cells
  included), so a suppressed cell does not even say whether anyone is in it.
- **Complementary suppression**: a period and measure form one group, whose
  all-services row is the sum of its service rows. If the suppressed service
  cells of a group together hold between 1 and k - 1 people, the total minus
  the published cells would describe them, so the next smallest service cell is
  suppressed too, and so on until the suppressed cells together hold 0 or at
  least k people. A total under k is suppressed with every cell of its group.
- **Rounding**: published counts are rounded to the nearest 5; a total is
  rounded from its own unrounded n, never summed from rounded cells.
- **No minimum or maximum** (each is one person's value) and **fixed precision**
  (two decimals). Nothing finer than a period label, no ids, no free text.

Suppressed cells are published as a row with every statistic null and
``suppressed`` true; a row never says whether it was suppressed for being small
or to protect another cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.research.association import Association
from server.research.cohort import CohortCell

MIN_CELL_FLOOR = 5
ROUND_TO = 5
DECIMALS = 2
ALL_SERVICES = "All services"


def check_min_cell(k: int) -> int:
    """k itself, or ValueError when it is below the floor of 5 people."""
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_CELL_FLOOR:
        raise ValueError(f"the smallest published cell must be at least {MIN_CELL_FLOOR} people")
    return k


def round_count(n: int) -> int:
    """n to the nearest multiple of 5 (halves cannot occur for whole numbers)."""
    return ROUND_TO * math.floor(n / ROUND_TO + 0.5)


def fixed(value: float) -> float | None:
    """A statistic at the published precision; None where it is undefined."""
    return None if math.isnan(value) else round(value, DECIMALS)


def choose_suppressed(counts: Sequence[int], k: int) -> tuple[list[bool], bool]:
    """Which service cells of one group, and whether its total, to suppress."""
    if sum(counts) < k:
        return [True] * len(counts), True
    hidden = [n < k for n in counts]
    while True:
        hidden_people = sum(n for n, is_hidden in zip(counts, hidden, strict=True) if is_hidden)
        if hidden_people == 0 or hidden_people >= k:
            return hidden, False
        # The total is at least k, so some cell is still shown while fewer than k are hidden.
        shown = [i for i, is_hidden in enumerate(hidden) if not is_hidden]
        hidden[min(shown, key=lambda i: (counts[i], i))] = True


@dataclass(frozen=True)
class PublishedCell:
    """One row of the published table: statistics at fixed precision, or all None."""

    service: str
    period: str
    measure: str
    n: int | None
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    suppressed: bool


@dataclass(frozen=True)
class PublishedAssociation:
    """One service's within-person association between a process and a wellbeing measure."""

    service: str
    process: str
    wellbeing: str
    people: int | None
    observations: int | None
    r: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


def publish_cells(
    *, cells: Sequence[CohortCell], services: Mapping[int, str], k: int
) -> list[PublishedCell]:
    """The complete grid of service x period x measure rows plus totals, disclosure-controlled."""
    check_min_cell(k)
    if any(cell.service is not None and cell.service not in services for cell in cells):
        # A total is only the sum of the rows shown when every service has its rows.
        raise ValueError("every service with a cell must be named")
    found = {(cell.period, cell.measure, cell.service): cell for cell in cells}
    groups = sorted({(cell.period, cell.measure) for cell in cells})
    order = sorted(services, key=lambda code: (services[code], code))
    published: list[PublishedCell] = []
    for period, measure in groups:
        row = [found.get((period, measure, code)) for code in order]
        total = found.get((period, measure, None))
        counts = [cell.n if cell else 0 for cell in row]
        hidden, hide_total = choose_suppressed(counts, k)
        for code, cell, is_hidden in zip(order, row, hidden, strict=True):
            published.append(_publish(services[code], period, measure, cell, is_hidden))
        published.append(_publish(ALL_SERVICES, period, measure, total, hide_total))
    return published


def publish_associations(
    *,
    associations: Sequence[Association],
    services: Mapping[int, str],
    pairs: Sequence[tuple[str, str]],
    k: int,
) -> list[PublishedAssociation]:
    """Every service x (process, wellbeing) pair; suppressed below k people."""
    check_min_cell(k)
    found = {(a.service, a.process, a.wellbeing): a.correlation for a in associations}
    published = []
    for code in sorted(services, key=lambda code: (services[code], code)):
        for process, wellbeing in pairs:
            correlation = found.get((code, process, wellbeing))
            if correlation is None or correlation.people < k:
                published.append(
                    PublishedAssociation(
                        services[code], process, wellbeing, None, None, None, None, None, True
                    )
                )
                continue
            published.append(
                PublishedAssociation(
                    service=services[code],
                    process=process,
                    wellbeing=wellbeing,
                    people=round_count(correlation.people),
                    observations=round_count(correlation.observations),
                    r=fixed(correlation.r),
                    ci_low=fixed(correlation.ci_low),
                    ci_high=fixed(correlation.ci_high),
                    suppressed=False,
                )
            )
    return published


def _publish(
    service: str, period: str, measure: str, cell: CohortCell | None, hidden: bool
) -> PublishedCell:
    if hidden or cell is None:
        return PublishedCell(service, period, measure, None, None, None, None, None, None, True)
    return PublishedCell(
        service=service,
        period=period,
        measure=measure,
        n=round_count(cell.n),
        mean=fixed(cell.mean),
        sd=fixed(cell.sd),
        median=fixed(cell.median),
        q1=fixed(cell.q1),
        q3=fixed(cell.q3),
        suppressed=False,
    )
