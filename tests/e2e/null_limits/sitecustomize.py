"""Loaded (PYTHONPATH) into the `prefect deploy` process of the work-pool test only.

`prefect deploy` (Prefect 3.8.8) lists the pool's workers after each deployment and sends
``"limit": null, "offset": null``; a Prefect server running on FastAPI 0.151 or later (the
project pins 0.153.0) answers 422 where FastAPI 0.150 and older took the defaults, so the
command fails after the first deployment. The compose server is the official Prefect image,
whose FastAPI this does not decide; a server started from this project's environment (the
test's) has the pinned one. Here the same request is sent with the server's defaults instead.
tests/e2e/test_work_pool.py checks that the server still refuses the nulls: when it no longer
does, this file can go."""

from __future__ import annotations

from typing import Any

from prefect.client.orchestration._work_pools.client import WorkPoolAsyncClient

_read = WorkPoolAsyncClient.read_workers_for_work_pool


async def _read_with_defaults(
    self: WorkPoolAsyncClient,
    work_pool_name: str,
    worker_filter: Any = None,
    offset: int | None = None,
    limit: int | None = None,
) -> Any:
    return await _read(self, work_pool_name, worker_filter, offset or 0, limit or 200)


WorkPoolAsyncClient.read_workers_for_work_pool = _read_with_defaults  # type: ignore[method-assign]
