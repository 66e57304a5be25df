"""Fixtures shared by the API tests."""

from __future__ import annotations

import pytest

from tests.support.api import SignedInClient, sign_in
from tests.support.factories import make_service_user


@pytest.fixture
def person(client, session) -> SignedInClient:
    """A new service user, signed in; ``.user`` and ``.user_id`` name them."""
    user = make_service_user(session)
    session.commit()
    signed_in = sign_in(client, user.username)
    signed_in.user = user
    signed_in.user_id = user.id
    return signed_in
