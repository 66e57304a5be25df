"""Made-up instrument definitions for tests (no licensed text), kept as JSON fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from server.instruments.loader import parse_definition
from server.instruments.model import Instrument

FIXTURES = Path(__file__).parent / "fixtures"

LOOKUP = "made-up-lookup.json"
VERSIONED_V1 = "made-up-versioned-v1.json"
VERSIONED_V2 = "made-up-versioned-v2.json"


def made_up_definition(name: str) -> dict[str, Any]:
    """A fresh, editable copy of a fixture definition."""
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def made_up_instrument(name: str) -> Instrument:
    """A fixture definition built into an Instrument."""
    return parse_definition(made_up_definition(name), origin=name)


def plug_in(directory: Path, *names: str) -> Path:
    """Copy fixture definitions into a plug-in directory, as a site administrator would."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, directory / name)
    return directory
