"""Account commands, through Flask's runner and through the installed ``alongside`` script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from server.accounts.models import Service, User

ALONGSIDE = str(Path(sys.executable).with_name("alongside"))


def test_create_service_and_staff_user(runner, session):
    assert runner.invoke(args=["create-service", "Harbour Peer Support"]).exit_code == 0
    result = runner.invoke(
        args=[
            "create-user",
            "--role",
            "peer_worker",
            "--username",
            "Jo-Peer",
            "--service",
            "Harbour Peer Support",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(sa.select(User).where(User.username_canonical == "jo-peer"))
    service = session.scalar(sa.select(Service).where(Service.name == "Harbour Peer Support"))
    assert user.role == "peer_worker"
    assert user.service_id == service.id
    assert "a long enough password" not in user.password_hash


def test_create_user_explains_refusals(runner):
    short = runner.invoke(
        args=["create-user", "--role", "admin", "--username", "ada", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
    unknown_service = runner.invoke(
        args=[
            "create-user",
            "--role",
            "peer_worker",
            "--username",
            "jo",
            "--service",
            "Nope",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert unknown_service.exit_code != 0
    assert "No service has that name" in unknown_service.output


def test_the_console_script_reads_the_same_configuration_as_the_app(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "ALONGSIDE_INSTANCE_PATH": str(tmp_path / "instance"),
        "ALONGSIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}",
    }

    def run(*args, stdin=None):
        return subprocess.run(
            [ALONGSIDE, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
        )

    assert run("db", "upgrade").returncode == 0
    assert run("create-service", "Tideway").returncode == 0
    created = run(
        "create-user",
        "--role",
        "researcher",
        "--username",
        "rae",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr

    engine = sa.create_engine(env["ALONGSIDE_DATABASE_URL"])
    with engine.connect() as connection:
        names = connection.execute(sa.text("SELECT username FROM users")).scalars().all()
    engine.dispose()
    assert names == ["rae"]
    assert (tmp_path / "instance").is_dir()
    assert not (tmp_path / "instance" / "alongside.sqlite3").exists()
