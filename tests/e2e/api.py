"""The Prefect REST API as the UI calls it. The server answers 503 for what it calls a
retryable error (on SQLite, a write that met another writer's snapshot: SQLITE_BUSY_SNAPSHOT
returns at once, whatever the busy timeout); Prefect's own client retries those, and so do
these calls, through the project's one retry policy, so a busy server is not taken for a
broken one."""

from __future__ import annotations

from typing import Any

import httpx

from scrapers.retry import RetryPolicy

RETRYABLE = {503}


class ServerBusy(httpx.HTTPStatusError):
    """A 503: the server asks to be tried again (the only answer retried)."""


def api_post(
    api: str, path: str, body: dict, *, timeout: float = 15, attempts: int = 8
) -> Any:  # JSON as the API gives it
    """POST `body` to `api + path`; retry a 503 with a short back-off; any other error raises."""

    def once() -> Any:
        response = httpx.post(f"{api}{path}", json=body, timeout=timeout)
        if response.status_code in RETRYABLE:
            raise ServerBusy(
                f"{response.status_code} from {path}", request=response.request, response=response
            )
        response.raise_for_status()
        return response.json()

    policy = RetryPolicy(attempts=attempts, base_delay=0.5, max_delay=4.0, transient=(ServerBusy,))
    return policy.call(once)
