"""Instruments as data: JSON definitions, their schema, loading, the registry and answer checks.

The definitions, loader, registry and answer checks are pure Python (no Flask, no
database), so the scheduler, the sync code, tests and benchmarks use them directly
(DESIGN.md section 7). ``init_app`` and ``routes`` are the Flask side.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from server.instruments.registry import InstrumentRegistry
from server.instruments.schedule import cadence_days, parse_cadence_overrides

EXTENSION = "alongside.instruments"
PLUGIN_DIRECTORY = "instruments"


@dataclass(frozen=True)
class ServedInstruments:
    """The registry, each instrument's cadence in days, and an ETag over both."""

    registry: InstrumentRegistry
    schedule: dict[str, int]
    etag: str


def served_instruments() -> ServedInstruments:
    """What this app loaded at start-up."""
    served: ServedInstruments = current_app.extensions[EXTENSION]
    return served


def current_registry() -> InstrumentRegistry:
    """The registry this app loaded at start-up."""
    return served_instruments().registry


def load(instance_path: Path, cadence_setting: object) -> ServedInstruments:
    """Built-ins plus the instance folder's plug-ins; a bad file or setting stops start-up."""
    registry = InstrumentRegistry.load(instance_path / PLUGIN_DIRECTORY)
    schedule = cadence_days(registry, parse_cadence_overrides(cadence_setting))  # type: ignore[arg-type]
    digest = hashlib.sha256((registry.etag + json.dumps(schedule, sort_keys=True)).encode())
    return ServedInstruments(registry, schedule, digest.hexdigest())


def init_app(app: Flask) -> None:
    """Load the instruments and register the route."""
    from server.extensions import api
    from server.instruments.routes import blueprint

    app.extensions[EXTENSION] = load(Path(app.instance_path), app.config["CADENCE_DAYS"])
    api.register_blueprint(blueprint)
