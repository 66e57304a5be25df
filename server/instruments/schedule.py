"""How often each instrument is offered: its definition's default unless the site overrides it."""

from __future__ import annotations

from collections.abc import Mapping

from server.instruments.registry import InstrumentRegistry


def parse_cadence_overrides(raw: str | Mapping[str, int]) -> dict[str, int]:
    """Read ``"who5=7,ons4=28"`` (environment) or a TOML table of days per instrument."""
    pairs: list[tuple[str, object]]
    if isinstance(raw, Mapping):
        pairs = [(str(key), value) for key, value in raw.items()]
    else:
        pairs = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            instrument_id, _, text = part.partition("=")
            pairs.append((instrument_id.strip(), text.strip()))
    overrides: dict[str, int] = {}
    for instrument_id, value in pairs:
        try:
            overrides[instrument_id] = int(str(value))
        except (TypeError, ValueError):
            raise ValueError(
                f"CADENCE_DAYS: {instrument_id!r} needs a whole number of days"
            ) from None
        if not 1 <= overrides[instrument_id] <= 365:
            raise ValueError(f"CADENCE_DAYS: {instrument_id!r} must be 1 to 365 days")
    return overrides


def cadence_days(registry: InstrumentRegistry, overrides: Mapping[str, int]) -> dict[str, int]:
    """Days between offers of each instrument the app serves."""
    unknown = sorted(set(overrides) - {i.id for i in registry.all_latest()})
    if unknown:
        raise ValueError(f"CADENCE_DAYS names unknown instruments: {unknown}")
    return {
        instrument.id: overrides.get(instrument.id, instrument.default_cadence_days)
        for instrument in registry.all_latest()
    }
