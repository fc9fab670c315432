"""Per-host slots: one request at a time per host, a minimum delay between them, and a host
that keeps running out of its time budget is given up on for a while.

Why the last part: each request is bounded by its deadline, but a column of thirty
articles on a server that trickles would still cost thirty deadlines (and hold the host's
slot for all of them). After `slow_strikes` requests cut off by their budget, the host's
further requests fail at once, for `slow_cooldown_s`; the next run tries it afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapers.addresses import normalise_host


def host_key(url: str) -> str:
    """``host[:port]`` as the politeness and robots caches know it (trailing dot dropped)."""
    parts = urlsplit(url)
    host = normalise_host(parts.hostname or "")
    return f"{host}:{parts.port}" if parts.port else host


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")
    delay: float = 0.0  # this host's own minimum (robots.txt Crawl-delay), if larger
    strikes: list[float] = field(default_factory=list)  # when requests ran out of budget


class HostSlots:
    def __init__(self, per_host_delay: float, slow_strikes: int = 2, slow_cooldown_s: float = 3600.0) -> None:
        self.per_host_delay = per_host_delay
        self.slow_strikes = slow_strikes
        self.slow_cooldown_s = slow_cooldown_s
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            return self._hosts.setdefault(key, _Host())

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold the host's slot for one request, after its delay since the previous one."""
        state = self._host(url)
        with state.lock:
            wait = state.last + max(self.per_host_delay, state.delay) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                state.last = time.monotonic()

    def set_crawl_delay(self, url: str, seconds: float) -> None:
        """A robots.txt Crawl-delay for the host (only ever makes it slower)."""
        self._host(url).delay = max(0.0, seconds)

    def strike(self, url: str) -> None:
        """A request to the host ran out of its budget (deadline or minimum rate)."""
        state = self._host(url)
        with self._lock:
            state.strikes.append(time.monotonic())

    def given_up(self, url: str) -> int:
        """How many recent strikes the host has when that is enough to skip it, else 0."""
        if self.slow_strikes <= 0:
            return 0
        state = self._host(url)
        now = time.monotonic()
        with self._lock:
            state.strikes = [t for t in state.strikes if now - t < self.slow_cooldown_s]
            n = len(state.strikes)
        return n if n >= self.slow_strikes else 0
