"""Retries: exponential backoff with full jitter, Retry-After, and 401 stopping at once."""

from __future__ import annotations

import httpx
import pytest

from sync.transport import (
    Backoff,
    RequestRefused,
    ServerUnavailable,
    SignInRequired,
    Transport,
)


def scripted(*answers: int | Exception, retry_after: str | None = None):
    """An HTTP peer that answers with the given statuses (or fails) in turn, then 200."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if not queue:
            return httpx.Response(200, json={"ok": True})
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        headers = {"Retry-After": retry_after} if retry_after else {}
        return httpx.Response(answer, json={"error": "x", "message": "m"}, headers=headers)

    return httpx.MockTransport(handle), seen


def backoff(waits: list[float], **options) -> Backoff:
    # The highest value the jitter could take, so the exponential bound is visible.
    return Backoff(sleep=waits.append, uniform=lambda low, high: high, **options)


def test_network_errors_and_5xx_back_off_exponentially_up_to_the_cap():
    waits: list[float] = []
    failures = [httpx.ConnectError("down"), 503, 500, 502, 504, 503, 503, 503, 503, 503]
    http, seen = scripted(*failures)
    transport = Transport(
        "http://sync.test", "tok", http=http, backoff=backoff(waits, cap=60, max_attempts=None)
    )
    assert transport.request("GET", "/x").json() == {"ok": True}
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert len(seen) == 11
    assert seen[0].headers["Authorization"] == "Bearer tok"


def test_full_jitter_draws_between_zero_and_the_exponential_bound():
    bounds: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        bounds.append((low, high))
        return low

    policy = Backoff(uniform=uniform)
    assert [policy.delay(n) for n in range(3)] == [0.0, 0.0, 0.0]
    assert bounds == [(0.0, 1.0), (0.0, 2.0), (0.0, 4.0)]


def test_429_waits_as_long_as_retry_after_says():
    waits: list[float] = []
    http, _ = scripted(429, 429, retry_after="7")
    Transport("http://sync.test", "tok", http=http, backoff=backoff(waits)).request("GET", "/x")
    assert waits == [7.0, 7.0]


def test_401_stops_at_once():
    waits: list[float] = []
    http, seen = scripted(401)
    with pytest.raises(SignInRequired):
        Transport("http://sync.test", "tok", http=http, backoff=backoff(waits)).request("GET", "/x")
    assert (waits, len(seen)) == ([], 1)


def test_other_client_errors_are_final_and_carry_the_error_body():
    http, seen = scripted(422)
    with pytest.raises(RequestRefused) as refused:
        Transport("http://sync.test", http=http, backoff=backoff([])).request("GET", "/x")
    assert (refused.value.status, refused.value.body["message"], len(seen)) == (422, "m", 1)


def test_the_retry_budget_runs_out_with_a_clear_error():
    waits: list[float] = []
    http, seen = scripted(*([503] * 10))
    transport = Transport("http://sync.test", http=http, backoff=backoff(waits, max_attempts=3))
    with pytest.raises(ServerUnavailable, match="3 attempts"):
        transport.request("GET", "/x")
    assert len(seen) == 3
