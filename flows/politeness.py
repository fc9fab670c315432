"""Per-host politeness across concurrent flow runs and workers.

The rule: at most one request a second to a portal host (`NIANBAO_PER_HOST_DELAY`, or the
host's `delay` in the registry's `hosts:` block), however many flow runs and workers there are.

Inside one process the fetcher serialises requests per host and waits the delay between the end
of one and the start of the next (`scrapers/politeness.py`). Several flow runs (or workers on
several machines) do not share that fetcher, so with a Prefect API configured a run also holds
one slot of the global concurrency limit ``host-<host>`` of every host its entry URLs are on
(created on first use with ``NIANBAO_HOST_CONCURRENCY`` slots, default 1, or the host's
`concurrency` from the registry, which the limit is then kept at). With one slot, one run at a
time crawls a host, at the fetcher's pace; before giving the slots back the run waits until the
delay since its last request to each host has passed (`HostSlots.wait_quiet`), so the next
run's first request keeps the delay too. Without an API (ephemeral Prefect, plain Python) the
fetcher's own delay is all there is.

Why this and not a Prefect rate limit (a limit with ``slot_decay_per_second``, one
`rate_limit()` call per request): that is an API round trip and Prefect server CPU for every
request (several per agency, where the server's CPU per agency is what a national cycle must
keep small), and a decaying slot spaces request *starts* only: a download that takes longer
than the delay would overlap the next request. The run-level slot costs one acquisition per run and spaces the end of a request from
the start of the next, across processes as inside one. (Acquiring a slot costs several API
calls plus a lease-renewal watcher, ≈0.4 s measured per `concurrency()` block against a local
server, more than crawling a small agency: hence one per run, not per agency.) What it does not
cover: hosts an agency's links lead to that are not an entry URL's host (attachments on a
provincial file server) are spaced per process only.

A run whose worker dies keeps its slots until their lease runs out: `NIANBAO_HOST_SLOT_LEASE`
seconds (default 300, at least 60 as the server requires), renewed by Prefect while the run
lives; then the next run of those hosts may start.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scrapers.politeness import host_key

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

log = logging.getLogger("nianbao.flows.politeness")
_ensured: dict[str, int] = {}  # limit name -> the slots this process made sure it has
MIN_LEASE_S = 60.0  # the Prefect server refuses a shorter lease


def host_slots() -> int:
    """Slots per host across every flow run (0 disables the global limit)."""
    return int(os.environ.get("NIANBAO_HOST_CONCURRENCY", "1"))


def slot_lease_seconds() -> float:
    """How long a dead run's host slots stay taken (Prefect renews the lease of a live run)."""
    raw = os.environ.get("NIANBAO_HOST_SLOT_LEASE", "300")
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"设置 NIANBAO_HOST_SLOT_LEASE 的值 {raw!r} 无效：应为秒数") from None
    if seconds < MIN_LEASE_S:
        raise ValueError(
            f"设置 NIANBAO_HOST_SLOT_LEASE 的值 {raw!r} 无效：应不小于 {MIN_LEASE_S:g} 秒（Prefect 服务器的下限）"
        )
    return seconds


def limit_name(host: str) -> str:
    """``host-www-zhanhe-gov-cn``: lowercase, digits and dashes only."""
    return "host-" + re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")


def hosts_of(urls: Iterable[str]) -> list[str]:
    """``host[:port]`` of each URL as the fetcher knows it, once each, sorted."""
    return sorted({key for key in (host_key(u) for u in urls) if key})


def registry_concurrency(host: str) -> int | None:
    """The host's `concurrency` in the registry's `hosts:` block (``host:port``, then ``host``)."""
    from nianbao.store.registry import registry_hosts

    hosts = registry_hosts()
    entry = hosts.get(host) or hosts.get(host.rsplit(":", 1)[0])
    return entry.concurrency if entry is not None else None


def api_configured() -> bool:
    from flows.server import configured_api_url

    return bool(configured_api_url())


def ensure_host_limits(hosts: list[str]) -> list[str]:
    """Create the missing ``host-*`` limits and set those the registry gives a `concurrency`;
    return their names (empty without an API). A limit the registry says nothing about keeps
    what an operator set in the UI."""
    if host_slots() <= 0 or not hosts or not api_configured():
        return []
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectAlreadyExists

    own = {limit_name(h): registry_concurrency(h) for h in hosts}
    pinned = {name for name, count in own.items() if count is not None}
    wanted = {name: host_slots() if count is None else count for name, count in own.items()}
    todo = {n: s for n, s in wanted.items() if _ensured.get(n) != s}
    if not todo:
        return list(wanted)
    with get_client(sync_client=True) as client:
        existing = _existing_limits(client)
        for name, count in todo.items():
            if name not in existing:
                try:
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=count)
                    )
                    log.info("created global concurrency limit %s with %d slot(s)", name, count)
                except ObjectAlreadyExists:  # another run created it meanwhile
                    pass
            elif name in pinned and existing[name] != count:
                client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=count))
                log.info("set global concurrency limit %s to %d slot(s) (registry hosts:)", name, count)
            _ensured[name] = count
    return list(wanted)


def _existing_limits(client: SyncPrefectClient, page: int = 200) -> dict[str, int]:
    """Every global concurrency limit's name and slots, a page of `page` per request (one request
    where a lookup per host took one each: fifty hosts cost seconds before a crawl could start)."""
    limits: dict[str, int] = {}
    offset = 0
    while True:
        batch = client.read_global_concurrency_limits(limit=page, offset=offset)
        limits.update((limit.name, limit.limit) for limit in batch)
        if len(batch) < page:
            return limits
        offset += page


def _settle(urls: list[str]) -> None:
    """Wait until this process's last request to each host is the delay old (see the docstring)."""
    from flows.runtime import shared_fetcher

    slept = shared_fetcher().slots.wait_quiet(urls)
    if slept:
        log.debug("waited %.2f s for the hosts' delay before giving their slots back", slept)


@contextmanager
def polite(urls: list[str], settle: Callable[[list[str]], None] = _settle) -> Iterator[list[str]]:
    """Hold one slot per host of ``urls`` while the block runs and until `settle` returns
    (no-op without an API)."""
    names = ensure_host_limits(hosts_of(urls))
    if not names:
        yield []
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(names, occupy=1, strict=False, lease_duration=slot_lease_seconds()):
        try:
            yield names
        finally:
            settle(urls)


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
