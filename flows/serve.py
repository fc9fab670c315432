"""Serve every deployment with its schedule from one process (the embedded way to run)."""

from __future__ import annotations

from prefect import serve

from flows.schedules import build_deployments


def serve_all(limit: int | None = None) -> None:
    # pause_on_shutdown=False: stopping this process must not pause the schedules.
    serve(*build_deployments(), pause_on_shutdown=False, limit=limit)
