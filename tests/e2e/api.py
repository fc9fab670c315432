"""The Prefect REST API as the UI calls it. The server answers 503 for what it calls a
retryable error (on SQLite, a write that met another writer's snapshot: SQLITE_BUSY_SNAPSHOT
returns at once, whatever the busy timeout); Prefect's own client retries those, and so do
these calls, a bounded number of times, so a busy server is not taken for a broken one."""

from __future__ import annotations

import time
from typing import Any

import httpx

RETRYABLE = {503}


def api_post(api: str, path: str, body: dict, *, timeout: float = 15, attempts: int = 8) -> Any:
    """POST `body` to `api + path`; retry a 503 with a short back-off; any other error raises."""
    for attempt in range(attempts):
        response = httpx.post(f"{api}{path}", json=body, timeout=timeout)
        if response.status_code not in RETRYABLE or attempt == attempts - 1:
            break
        time.sleep(0.5 * (attempt + 1))
    response.raise_for_status()
    return response.json()
