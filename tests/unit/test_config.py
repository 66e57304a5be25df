"""Configuration layers in the documented order, and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server import PROJECT_ROOT, create_app
from server.config import DEFAULTS


def build(tmp_path: Path, environ=None, overrides=None):
    environ = {"ALONGSIDE_INSTANCE_PATH": str(tmp_path), **(environ or {})}
    return create_app(overrides, environ=environ)


def test_defaults_put_sqlite_in_the_instance_folder(tmp_path):
    app = build(tmp_path)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'alongside.sqlite3'}"
    assert app.instance_path == str(tmp_path)


def test_instance_file_then_environment_then_overrides(tmp_path):
    (tmp_path / "alongside.toml").write_text("token_ttl_days = 7\ninvite_ttl_days = 3\n")
    app = build(
        tmp_path,
        environ={"ALONGSIDE_INVITE_TTL_DAYS": "5", "ALONGSIDE_SESSION_COOKIE_SECURE": "false"},
        overrides={"PASSWORD_MIN_LENGTH": 12},
    )
    assert app.config["TOKEN_TTL_DAYS"] == 7
    assert app.config["INVITE_TTL_DAYS"] == 5
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["PASSWORD_MIN_LENGTH"] == 12


def test_a_malformed_setting_names_itself(tmp_path):
    with pytest.raises(RuntimeError, match="ALONGSIDE_TOKEN_TTL_DAYS"):
        build(tmp_path, environ={"ALONGSIDE_TOKEN_TTL_DAYS": "a week"})


def test_an_unknown_instance_setting_is_refused(tmp_path):
    (tmp_path / "alongside.toml").write_text("token_ttl = 7\n")
    with pytest.raises(RuntimeError, match="token_ttl"):
        build(tmp_path)


def test_every_setting_is_in_env_example_and_readme():
    names = {f"ALONGSIDE_{name}" for name in DEFAULTS} | {"ALONGSIDE_INSTANCE_PATH"}
    example = set(
        re.findall(r"^(ALONGSIDE_\w+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)
    )
    readme = set(re.findall(r"`(ALONGSIDE_\w+)`", (PROJECT_ROOT / "README.md").read_text()))
    assert example == names
    assert names <= readme
