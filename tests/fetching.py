"""Fetchers for tests: loopback allowed, no politeness delay, quick retries."""

from __future__ import annotations

from typing import Any

from scrapers.addresses import Resolver
from scrapers.fetcher import FETCH_RETRY, FetchConfig, Fetcher


def quick_config(*, retries: int = 1, backoff: float = 0.01, **changes: Any) -> FetchConfig:
    """A `FetchConfig` for servers on 127.0.0.1: `retries` tries after the first, `backoff`
    seconds before the first retry, no jitter."""
    base = FetchConfig(per_host_delay=0, allow_private_hosts=True, timeout=5, connect_timeout=2)
    retry = FETCH_RETRY.with_(attempts=retries + 1, base_delay=backoff, jitter=0.0)
    return base.with_(retry=retry, **changes)


def quick_fetcher(*, resolver: Resolver | None = None, **changes: Any) -> Fetcher:
    return Fetcher(quick_config(**changes), resolver=resolver)
