"""Per-host politeness across concurrent flow runs and workers.

Inside one process the fetcher already serialises requests per host and waits
``NIANBAO_PER_HOST_DELAY`` between them. Several flow runs (or several workers on several
machines) do not share that fetcher, so with a Prefect API configured each agency's network
work also holds a slot of the global concurrency limit ``host-<host>`` (created on first use
with ``NIANBAO_HOST_CONCURRENCY`` slots, default 1). Without an API (ephemeral Prefect, plain
Python) the fetcher's own delay is all there is.

Acquiring a slot costs several API calls plus a lease-renewal watcher (≈0.4 s measured per
`concurrency()` block against a local server), more than crawling a small agency. So a flow run
does not take and give back a host's slot per agency: `run_slots` takes one slot of every host
the run will crawl in a single request when its crawl starts and gives them back when the crawl
is done. Inside the run the shared fetcher keeps one request at a time per host; across runs and
workers the slot still means one run per host at a time (a recrawl of an agency on a host a
district-wide run is crawling waits until that run is done crawling).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

log = logging.getLogger("nianbao.flows.politeness")
_created: set[str] = set()


def host_slots() -> int:
    """Slots per host across every flow run (0 disables the global limit)."""
    return int(os.environ.get("NIANBAO_HOST_CONCURRENCY", "1"))


def limit_name(host: str) -> str:
    """``host-www-zhanhe-gov-cn``: lowercase, digits and dashes only."""
    return "host-" + re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")


def hosts_of(urls: list[str]) -> list[str]:
    return sorted({urlsplit(u).netloc for u in urls if urlsplit(u).netloc})


def api_configured() -> bool:
    from flows.server import configured_api_url

    return bool(configured_api_url())


def ensure_host_limits(hosts: list[str], slots: int | None = None) -> list[str]:
    """Create the missing ``host-*`` limits; return their names (empty without an API)."""
    slots = host_slots() if slots is None else slots
    if slots <= 0 or not hosts or not api_configured():
        return []
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists

    names = [limit_name(h) for h in hosts]
    wanted = [n for n in names if n not in _created]
    if not wanted:
        return names
    with get_client(sync_client=True) as client:
        existing = _existing_limit_names(client)
        for name in wanted:
            if name not in existing:
                try:
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=slots)
                    )
                    log.info("created global concurrency limit %s with %d slot(s)", name, slots)
                except ObjectAlreadyExists:  # another run created it meanwhile
                    pass
            _created.add(name)
    return names


def _existing_limit_names(client: SyncPrefectClient, page: int = 200) -> set[str]:
    """Every global concurrency limit's name, a page of `page` per request (one request where a
    lookup per host took one each: fifty hosts cost seconds before a crawl could start)."""
    names: set[str] = set()
    offset = 0
    while True:
        batch = client.read_global_concurrency_limits(limit=page, offset=offset)
        names.update(limit.name for limit in batch)
        if len(batch) < page:
            return names
        offset += page


@contextmanager
def polite(urls: list[str]) -> Iterator[list[str]]:
    """Hold one slot per host of ``urls`` while the block runs (no-op without an API)."""
    names = ensure_host_limits(hosts_of(urls))
    if not names:
        yield []
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(names, occupy=1, strict=False):
        yield names


_runs: set[int] = set()  # crawl runs of this process that hold their hosts' slots
_runs_lock = threading.Lock()


@contextmanager
def run_slots(run_id: int, urls: Iterable[str]) -> Iterator[list[str]]:
    """Hold one slot of every host in `urls` for the whole block, taken in one request
    (all or nothing, so two runs never wait on each other in crossed order); the run's tasks
    then take none of their own (`polite_for_run`)."""
    with polite(sorted(set(urls))) as names:
        with _runs_lock:
            _runs.add(run_id)
        try:
            yield names
        finally:
            with _runs_lock:
                _runs.discard(run_id)


@contextmanager
def polite_for_run(run_id: int, urls: list[str]) -> Iterator[list[str]]:
    """Nothing more to take when the run holds its hosts' slots in this process, else `polite`."""
    with _runs_lock:
        held = run_id in _runs
    if held:
        yield []
        return
    with polite(urls) as names:
        yield names
