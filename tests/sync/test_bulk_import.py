"""``python -m sync import``: check-ins from a JSON Lines file, through the sync client."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from sync.bulk_import import ImportFileError, import_file
from sync.client import SyncClient
from sync.outbox import LocalStore
from sync.transport import Transport
from tests.support.factories import PASSWORD
from tests.sync.conftest import device_token
from tests.sync.test_crash_safety import checkin, create_person


def write_lines(path, checkins) -> None:
    path.write_text("".join(json.dumps(data) + "\n" for data in checkins), encoding="utf-8")


def test_an_import_stores_each_line_once_and_lists_what_was_refused(
    app, session, service_user, tmp_path
):
    source = tmp_path / "history.jsonl"
    lines = [checkin(number) for number in range(40)]
    lines[7]["responses"][0]["answers"]["trust_peer_worker"] = 11
    write_lines(source, lines)

    def client() -> SyncClient:
        transport = Transport(
            "http://alongside.test",
            device_token(session, service_user),
            http=httpx.WSGITransport(app=app),
        )
        return SyncClient(LocalStore(str(tmp_path / "import.sqlite3")), transport)

    first = import_file(client(), source)
    assert (first.queued, first.report.applied, first.report.rejected) == (40, 39, 1)
    again = client()
    second = import_file(again, source)  # run again: nothing queued twice
    assert (second.already_queued, second.queued, second.report.applied) == (True, 0, 0)
    assert len(again.checkins()) == 39
    [refused] = again.rejected()
    assert refused.data == lines[7]
    assert list(refused.errors) == ["data.responses.0.answers.trust_peer_worker"]


def test_a_damaged_file_queues_nothing_and_names_the_line(tmp_path):
    source = tmp_path / "history.jsonl"
    source.write_text('{"shared": false}\n\n{"note": \n', encoding="utf-8")
    client = SyncClient(LocalStore(), Transport("http://127.0.0.1:9"))
    with pytest.raises(ImportFileError, match="line 3"):
        import_file(client, source)
    assert client.store.outbox() == []


def run_import(url: str, username: str, password: str, source):
    command = ["import", "--server", url, "--username", username, "--password-stdin", str(source)]
    return subprocess.run(
        [sys.executable, "-m", "sync", *command],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_the_command_imports_into_the_real_server_and_resumes(
    live_server, committed_database, tmp_path
):
    username, _ = create_person(committed_database.url, tmp_path)
    server = live_server(workers=2)
    source = tmp_path / "history.jsonl"
    write_lines(source, [checkin(number) for number in range(1200)])

    wrong = run_import(server.url, username, "not the password", source)
    assert wrong.returncode == 1
    assert "username and password do not match" in wrong.stderr

    done = run_import(server.url, username, PASSWORD, source)
    assert done.returncode == 0, done.stderr
    assert "1200 queued; 1200 applied" in done.stdout
    assert "0 rejected" in done.stdout

    again = run_import(server.url, username, PASSWORD, source)
    assert again.returncode == 0, again.stderr
    assert "already queued; 0 applied" in again.stdout

    check = Transport(server.url)
    check.sign_in(username, PASSWORD)
    fresh = SyncClient(LocalStore(), check)
    fresh.pull(limit=1000)
    assert sorted(shown["data"]["note"] for shown in fresh.checkins().values()) == sorted(
        f"imported check-in {number}" for number in range(1200)
    )
    check.close()
