"""Fixtures for sync tests: a service user with signed-in devices, and clients on the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from server.accounts import sessions
from server.accounts.models import User
from server.clock import utcnow
from sync.client import SyncClient
from sync.outbox import LocalStore
from sync.transport import Backoff, Transport
from tests.support.factories import make_service_user


def device_token(session, user: User) -> str:
    """A bearer token for one more device of ``user`` (no password hashing: tests stay fast)."""
    signed_in = sessions.start_session(
        session, user=user, device_label=None, ttl=timedelta(days=1), now=utcnow()
    )
    session.commit()
    return signed_in.token


@pytest.fixture
def service_user(session) -> User:
    person = make_service_user(session)
    session.commit()
    return person


@pytest.fixture
def sync_device(app, session, tmp_path: Path) -> Iterator[Callable[..., SyncClient]]:
    """Build a SyncClient for a device of a user, talking to the app in-process."""
    opened: list[SyncClient] = []

    def build(user: User, *, clock=None, backoff: Backoff | None = None) -> SyncClient:
        transport = Transport(
            "http://alongside.test",
            device_token(session, user),
            http=httpx.WSGITransport(app=app),
            backoff=backoff or Backoff(sleep=lambda seconds: None, max_attempts=3),
        )
        store = LocalStore(str(tmp_path / f"device-{len(opened)}.sqlite3"))
        client = SyncClient(store, transport, **({"clock": clock} if clock else {}))
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.transport.close()
        client.store.close()
