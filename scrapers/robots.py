"""robots.txt as RFC 9309 reads it, parsed by Protego (wildcards ``*`` and ``$``, longest
match wins), fetched through the fetcher's own redirect-following path and cached per host.

The verdicts by what the server answered:

- 2xx: its rules (an HTML page served as robots.txt is a "not found" page: no rules);
- 4xx ("unavailable"): everything allowed;
- 5xx ("unreachable"): everything disallowed, remembered for a short while only (the server
  may come back); an anti-bot gateway's 512/521 is not the site speaking and allows, so the
  page fetch itself is reported as blocked;
- no answer at all: the fetch error, not cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from protego import Protego

from reports.parse.sniff import sniff
from scrapers.blocking import ANTI_BOT_STATUSES
from scrapers.politeness import host_key

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309: a crawler must read at least 500 KiB


@dataclass(frozen=True)
class RobotsVerdict:
    allowed: bool
    status: int | None  # robots.txt's HTTP status
    reason: str = ""  # why not allowed, in Chinese


@dataclass
class _Rules:
    parser: Protego | None  # None: everything allowed
    disallow_all: bool
    status: int | None
    expires: float


# robots_url -> (status, body) of the final response after redirects, or a failure object
RobotsFetch = Callable[[str], "tuple[int, bytes] | Any"]


@dataclass
class RobotsCache:
    user_agent: str
    fetch: RobotsFetch
    ttl_s: float = 24 * 3600.0  # RFC 9309: a cached copy should not be used for more than 24 h
    unreachable_ttl_s: float = 600.0
    on_crawl_delay: Callable[[str, float], None] | None = None
    _rules: dict[str, _Rules] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verdict(self, url: str) -> RobotsVerdict | Any:
        """Whether `url` may be fetched, or the failure object of fetching robots.txt."""
        key = host_key(url)
        with self._lock:
            host_lock = self._locks.setdefault(key, threading.Lock())
        with host_lock:  # one robots.txt request per host, the other threads wait for it
            rules = self._rules.get(key)
            if rules is None or rules.expires <= time.monotonic():
                loaded = self._load(url)
                if not isinstance(loaded, _Rules):
                    return loaded
                self._rules[key] = rules = loaded
        if rules.disallow_all:
            return RobotsVerdict(
                False,
                rules.status,
                f"robots.txt 暂时无法获取（HTTP {rules.status}），按 RFC 9309 视为禁止抓取",
            )
        if rules.parser is None or rules.parser.can_fetch(url, self.user_agent):
            return RobotsVerdict(True, rules.status)
        return RobotsVerdict(False, rules.status, "robots.txt 禁止抓取该路径")

    def _load(self, url: str) -> _Rules | Any:
        parts = urlsplit(url)
        got = self.fetch(f"{parts.scheme}://{parts.netloc}/robots.txt")
        if not isinstance(got, tuple):
            return got
        status, body = got
        now = time.monotonic()
        if 500 <= status < 600 and status not in ANTI_BOT_STATUSES:
            return _Rules(None, True, status, now + self.unreachable_ttl_s)
        if not 200 <= status < 300 or sniff(body[:4096]) == "html":
            return _Rules(None, False, status, now + self.ttl_s)
        parser = Protego.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace"))
        delay = parser.crawl_delay(self.user_agent)
        if delay and self.on_crawl_delay is not None:
            self.on_crawl_delay(url, float(delay))
        return _Rules(parser, False, status, now + self.ttl_s)
