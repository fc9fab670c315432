"""Per-host slots: one request at a time per host, a minimum delay between them, and a host
that keeps running out of its time budget is given up on for a while.

The delay is the default (`NIANBAO_PER_HOST_DELAY`, 1 s: at most one request a second to a
government portal), or the host's own from the registry's `hosts:` block; a robots.txt
Crawl-delay only ever makes it longer. It runs from the end of one request to the start of the
next, so a slow download does not let the next request follow it at once.

Why the give-up part: each request is bounded by its deadline, but a column of thirty
articles on a server that trickles would still cost thirty deadlines (and hold the host's
slot for all of them). After `slow_strikes` requests cut off by their budget, the host's
further requests fail at once, for `slow_cooldown_s`; the next run tries it afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapers.addresses import normalise_host


def host_key(url: str) -> str:
    """``host[:port]`` as the politeness and robots caches know it (trailing dot dropped)."""
    parts = urlsplit(url)
    host = normalise_host(parts.hostname or "")
    return f"{host}:{parts.port}" if parts.port else host


def normalise_host_key(key: str) -> str:
    """A registry's ``host`` or ``host:port`` in the form `host_key` gives (lowercase, no dot)."""
    name, sep, port = key.strip().rpartition(":")
    if sep and port.isdigit() and name and not name.endswith(":"):
        return f"{normalise_host(name)}:{int(port)}"
    return normalise_host(key)


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")  # when the previous request ended (time.monotonic)
    delay: float = 0.0  # this host's own minimum (robots.txt Crawl-delay), if larger
    strikes: list[float] = field(default_factory=list)  # when requests ran out of budget


class HostSlots:
    def __init__(
        self,
        per_host_delay: float,
        slow_strikes: int = 2,
        slow_cooldown_s: float = 3600.0,
        host_delays: Mapping[str, float] | None = None,
    ) -> None:
        self.per_host_delay = per_host_delay
        self.slow_strikes = slow_strikes
        self.slow_cooldown_s = slow_cooldown_s
        self._configured: dict[str, float] = {}
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self.set_host_delays(host_delays or {})

    def set_host_delays(self, delays: Mapping[str, float]) -> None:
        """Hosts' own delays (``host`` or ``host:port`` -> seconds), replacing the previous ones:
        the registry's `hosts:` block, re-read when the registry changes."""
        configured = {normalise_host_key(k): max(0.0, float(v)) for k, v in delays.items()}
        with self._lock:
            self._configured = configured

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            return self._hosts.setdefault(key, _Host())

    def delay_for(self, url: str) -> float:
        """Seconds between two requests to the url's host: its configured delay (``host:port``,
        then ``host``) or the default, and never less than its robots.txt Crawl-delay."""
        key = host_key(url)
        with self._lock:
            configured = self._configured
        base = configured.get(key, configured.get(normalise_host(urlsplit(url).hostname or "")))
        own = self._host(url).delay
        return max(self.per_host_delay if base is None else base, own)

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold the host's slot for one request, after its delay since the previous one."""
        state = self._host(url)
        delay = self.delay_for(url)
        with state.lock:
            wait = state.last + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                state.last = time.monotonic()

    def wait_quiet(self, urls: Iterable[str]) -> float:
        """Sleep until every host of `urls` may be asked again (its delay since its last
        request has passed); return the seconds slept. A run calls this before it gives its
        hosts' slots to the next run, so that run's first request keeps the delay too."""
        ready = max((self._host(u).last + self.delay_for(u) for u in set(urls)), default=float("-inf"))
        wait = ready - time.monotonic()
        if wait > 0:
            time.sleep(wait)
            return wait
        return 0.0

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
