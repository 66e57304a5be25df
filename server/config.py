"""Configuration: defaults, the instance folder, ``ALONGSIDE_*`` variables, then overrides."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from server.concerns.thresholds import validate_services
from server.support.contacts import validate_help

ENV_PREFIX = "ALONGSIDE_"
INSTANCE_CONFIG_FILE = "alongside.toml"

# Every setting Alongside reads, with its default. `.env.example` and README's
# configuration table list the same names; tests/unit/test_config.py keeps them in step.
DEFAULTS: dict[str, Any] = {
    # Storage. None means SQLite in the instance folder.
    "DATABASE_URL": None,
    # Accounts and sessions.
    "TOKEN_TTL_DAYS": 30,
    "INVITE_TTL_DAYS": 14,
    "SESSION_COOKIE_SECURE": True,
    "LOGIN_WINDOW_SECONDS": 900,
    "LOGIN_MAX_FAILURES_PER_USERNAME": 10,
    "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 50,
    "PASSWORD_MIN_LENGTH": 10,
    "RESEARCH_CONSENT_VERSION": "2026-11",
    # Research exports: the fewest distinct people a published cell may describe (>= 5).
    "RESEARCH_MIN_CELL": 10,
    # Encryption at rest: "2:<base64>,1:<base64>" (unset: the instance key file), and
    # which version is current (0: the newest).
    "KEYS": "",
    "KEYS_CURRENT": 0,
    # Hours erasures wait before the scheduler rotates the key and retires the versions
    # that wrapped the erased data keys (one rotation covers every erasure in the wait).
    "ERASURE_ROTATION_HOURS": 24,
    # Days between offers per instrument, e.g. "who5=7,ons4=28" (unset: each definition's).
    "CADENCE_DAYS": "",
    # Scheduling: run the scheduler inside the app (development), how often person
    # summaries refresh, and the UTC hour nightly jobs start.
    "SCHEDULER_IN_APP": False,
    "SUMMARY_INTERVAL_MINUTES": 15,
    # Seconds between runs of the feedback job, which refreshes the summaries and concerns
    # of people whose check-ins just changed (DESIGN.md §11).
    "FEEDBACK_INTERVAL_SECONDS": 2,
    "NIGHTLY_HOUR_UTC": 2,
    # Days tombstones (deleted check-ins) and sync change records are kept before purging.
    "TOMBSTONE_RETENTION_DAYS": 90,
    # Requests.
    "MAX_BODY_BYTES": 1024 * 1024,
    "TRUSTED_PROXY_COUNT": 0,
    # Per-service settings, by service name: e.g. the very low answers that raise
    # "needs a conversation soon" (server/concerns/thresholds.py). In alongside.toml as
    # [services."Name".urgent]; in the environment as JSON.
    "SERVICES": {},
    # The built web app (empty: pwa/dist in the source tree).
    "WEB_DIST_DIR": "",
}


def _instance_file_settings(instance_path: Path) -> dict[str, Any]:
    """Settings from ``<instance>/alongside.toml``, whose keys are the names in lower case."""
    path = instance_path / INSTANCE_CONFIG_FILE
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        found = tomllib.load(handle)
    unknown = sorted(key for key in found if key.upper() not in DEFAULTS)
    if unknown:
        raise RuntimeError(f"{path}: unknown settings {unknown}")
    return {key.upper(): value for key, value in found.items()}


def _parse(raw: str, like: Any) -> Any:
    """Parse an environment string into the type of its default."""
    if isinstance(like, bool):
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected true or false, got {raw!r}")
    if isinstance(like, int):
        return int(raw)
    if isinstance(like, dict):
        try:
            found = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"expected JSON: {exc.msg}") from None
        if not isinstance(found, dict):
            raise ValueError("expected a JSON object")
        return found
    return raw


def settings_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read every known setting from ``ALONGSIDE_<NAME>`` variables."""
    found: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is None or raw == "":
            continue
        try:
            found[name] = _parse(raw, default)
        except ValueError as exc:
            raise RuntimeError(f"{ENV_PREFIX}{name}: {exc}") from None
    return found


def instance_path_from_environ(environ: Mapping[str, str]) -> str | None:
    """The instance folder named by ``ALONGSIDE_INSTANCE_PATH``, made absolute."""
    raw = environ.get(ENV_PREFIX + "INSTANCE_PATH")
    return str(Path(raw).resolve()) if raw else None


def configure(app: Flask, overrides: Mapping[str, Any] | None, environ: Mapping[str, str]) -> None:
    """Layer the configuration onto ``app.config`` (see module docstring for the order)."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(_instance_file_settings(Path(app.instance_path)))
    app.config.from_mapping(settings_from_environ(environ))
    if overrides:
        app.config.from_mapping(overrides)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = sqlite_url(Path(app.instance_path) / "alongside.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    try:
        validate_services(app.config["SERVICES"])
        validate_help(app.config["SERVICES"])
    except ValueError as exc:
        raise RuntimeError(f"Alongside settings: {exc}") from None


def sqlite_url(path: Path) -> str:
    """A SQLAlchemy URL for a SQLite file."""
    return f"sqlite:///{path}"


def process_environ() -> Mapping[str, str]:
    """The real process environment (a seam so tests never read the developer's)."""
    return os.environ
