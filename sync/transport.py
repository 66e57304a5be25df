"""HTTP for the sync client: bearer token, retries with exponential backoff and full jitter.

PROTOCOL.md "Clients" 5: network errors, 5xx and 429 are retried after a random wait
between 0 and min(5 min, 1 s x 2^attempt) ("full jitter"), or after the server's
``Retry-After`` when it sends one. A 401 stops at once; the caller keeps its outbox.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SyncError(Exception):
    """Base class of everything the sync client raises."""


class SignInRequired(SyncError):
    """The server answered 401: the person must sign in again. Nothing local was lost."""


class ServerUnavailable(SyncError):
    """The retry budget ran out on network errors, 5xx or 429. Nothing local was lost."""


class RequestRefused(SyncError):
    """A 4xx other than 401/429: the request as a whole was refused (a client bug)."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        message = body.get("message") if isinstance(body, dict) else None
        super().__init__(f"HTTP {status}: {message or 'request refused'}")


@dataclass
class Backoff:
    """Exponential backoff with full jitter; clock, sleep and randomness are injectable."""

    base: float = 1.0
    cap: float = 300.0
    max_attempts: int | None = 8
    sleep: Callable[[float], None] = time.sleep
    uniform: Callable[[float, float], float] = field(default=random.uniform)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
        if retry_after is not None:
            return min(self.cap, max(0.0, retry_after))
        return self.uniform(0.0, min(self.cap, self.base * 2.0**attempt))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP date; the jittered delay is a fine stand-in


class Transport:
    """Talks to one Alongside server as one signed-in device."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        backoff: Backoff | None = None,
        http: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.backoff = backoff or Backoff()
        self.token = token
        self._client = httpx.Client(base_url=base_url, transport=http, timeout=timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def sign_in(self, username: str, password: str, device_name: str | None = None) -> str:
        """Log in and keep the bearer token this device uses from now on."""
        body: dict[str, Any] = {"username": username, "password": password}
        if device_name:
            body["device_name"] = device_name
        try:
            answer = self.request("POST", "/api/v1/auth/login", json=body, authenticated=False)
        except SignInRequired:
            raise SignInRequired("that username and password do not match") from None
        self.token = str(answer.json()["token"])
        return self.token

    def send_once(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """One HTTP request, no retries and no status checks."""
        headers = {}
        if authenticated and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if content is not None:
            headers["Content-Type"] = "application/json"
        return self._client.request(
            method, path, json=json, content=content, params=params, headers=headers
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """A request retried on network errors, 5xx and 429; any other status is final.

        Raises SignInRequired on 401, RequestRefused on other 4xx, ServerUnavailable when
        the retry budget runs out.
        """
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                response = self.send_once(
                    method,
                    path,
                    json=json,
                    content=content,
                    params=params,
                    authenticated=authenticated,
                )
            except httpx.TransportError as error:
                failure: str = type(error).__name__
            else:
                if response.status_code < 400:
                    return response
                if response.status_code == 401:
                    raise SignInRequired("sign in again to keep syncing")
                if response.status_code not in RETRY_STATUSES:
                    raise RequestRefused(response.status_code, _json_or_none(response))
                failure = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
            limit = self.backoff.max_attempts
            if limit is not None and attempt + 1 >= limit:
                raise ServerUnavailable(f"gave up after {attempt + 1} attempts ({failure})")
            self.backoff.sleep(self.backoff.delay(attempt, retry_after))
            attempt += 1


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
