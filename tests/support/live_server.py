"""The real server in a subprocess (gunicorn through ``alongside serve``), for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

ALONGSIDE = str(Path(sys.executable).with_name("alongside"))


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """``alongside serve`` on a free port against a given database; start, stop, kill, restart."""

    def __init__(
        self,
        *,
        database_url: str,
        instance_path: Path,
        keys: str,
        workers: int = 2,
        threads: int = 1,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.threads = threads
        self.log_path = instance_path / f"server-{self.port}.log"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(instance_path)),
            "ALONGSIDE_DATABASE_URL": database_url,
            "ALONGSIDE_INSTANCE_PATH": str(instance_path),
            "ALONGSIDE_KEYS": keys,
            "ALONGSIDE_SESSION_COOKIE_SECURE": "false",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.scheduler: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> LiveServer:
        """Start the server and wait until ``/healthz`` answers 200."""
        command = [
            ALONGSIDE,
            "serve",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        log = self.log_path.open("ab")
        # Its own process group, so kill() reaches the gunicorn master and every worker.
        self.process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited at start-up; see {self.log_path}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout} s; see {self.log_path}")

    def start_scheduler(self) -> subprocess.Popen[bytes]:
        """``alongside scheduler`` against the same database, as README runs it beside serve."""
        log = (self.log_path.parent / f"scheduler-{self.port}.log").open("ab")
        self.scheduler = subprocess.Popen(
            [ALONGSIDE, "scheduler"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self.scheduler

    def _signal(self, sig: signal.Signals) -> None:
        for process in (self.process, self.scheduler):
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                continue

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it lingers."""
        self._signal(signal.SIGTERM)
        for process in (self.process, self.scheduler):
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the server and all its workers at once, as a crash would."""
        self._signal(signal.SIGKILL)
        for process in (self.process, self.scheduler):
            if process is not None:
                process.wait(timeout=15)

    def restart(self) -> LiveServer:
        """Start again on the same port and database."""
        return self.start()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
