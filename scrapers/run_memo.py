"""What a portal answered during one run, so the run asks each URL of a portal once.

A district's report column is often shared: every agency of the district is listed on the same
pages (spec §1), and each agency's crawl reads those pages and their articles to find its own
report. Without a memory, a district of 39 agencies asks the portal for the same hundred pages 39
times in one run (measured: 98 requests per agency for 3 distinct URLs, docs/benchmarks.md) —
39 times what a government site should get from a monitor, and the whole daily window.

`RunMemo` keeps the successful answers of one run: a page's body with its validators, or a 304
to the validators that were sent. A later request in the same run gets what the portal would
have said to it — the same body, or a 304 when it carries the validators of the page the run
read (its agency had stored them) — without a request. Every agency still reads every page it
reads now, through the same code, and records what it saw; only the network is spared. Errors
are not kept: each agency's crawl meets the portal's failures itself (the host slots' cool-down
already spares a failing host); nor are report files (each is its own agency's). A column's
later pages are often asked by POST (a read-only listing query): those are answered by their
form fields as well. The memo lives
for one run and holds at most `max_bytes`, the oldest pages going first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

from scrapers.fetcher import Fetcher, FetchResult, Outcome

MAX_ENTRY_BYTES = 8 * 1024 * 1024  # a column or article page, not a 50 MB attachment
MAX_BYTES = 64 * 1024 * 1024  # a run's memory for pages (a district's column and articles: a few MB)


@dataclass(frozen=True)
class _Seen:
    """A 200 (`result` with its body) or a 304 to the validators `etag`/`last_modified`."""

    result: FetchResult
    etag: str | None
    last_modified: str | None


class RunMemo:
    """The answers of one run, shared by its tasks (threads): one request per key at a time, so
    two agencies asking for the same page at once send it once."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0  # requests answered from the memo (for the run's log and the benchmarks)
        self._seen: dict[Hashable, _Seen] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def answer(
        self, key: Hashable, etag: str | None, last_modified: str | None, fetch: Callable[[], Outcome]
    ) -> Outcome:
        """What the portal says to this request: from what the run saw, else `fetch()` (kept
        when it succeeded)."""
        with self._key_lock(key):
            seen = self._seen.get(key)
            if seen is not None:
                known = _from_memo(seen, etag, last_modified)
                if known is not None:
                    with self._lock:
                        self.hits += 1
                    return known
            outcome = fetch()
            if isinstance(outcome, FetchResult):
                self._keep(key, outcome, etag, last_modified)
            return outcome

    def _keep(self, key: Hashable, got: FetchResult, etag: str | None, last_modified: str | None) -> None:
        """Keep `got`; the oldest entries go when the memo would hold more than `max_bytes` (a
        run over many districts reads one district's column after another)."""
        if len(got.content) > MAX_ENTRY_BYTES:
            return
        with self._lock:
            old = self._seen.get(key)
            if got.not_modified and old is not None and not old.result.not_modified:
                return  # a body already known answers more requests than a 304
            if old is not None:
                self.bytes -= len(old.result.content)
                del self._seen[key]
            if got.not_modified:  # the portal confirmed the validators that were sent
                self._seen[key] = _Seen(got, etag, last_modified)
            else:
                self._seen[key] = _Seen(got, got.etag, got.last_modified)
            self.bytes += len(got.content)
            while self.bytes > self.max_bytes:
                oldest = next(iter(self._seen))
                self.bytes -= len(self._seen.pop(oldest).result.content)


def _from_memo(seen: _Seen, etag: str | None, last_modified: str | None) -> FetchResult | None:
    """The answer to a request with these validators, or None when only the portal can give it
    (the run saw a 304 to other validators). If-None-Match decides when it is sent (RFC 9110
    §13.2.2), else If-Modified-Since, compared for equality: a 200 is never wrong, a 304 only
    when the validators are those of the page the run read."""
    got = seen.result
    same = (etag is not None and etag == seen.etag) or (
        etag is None and last_modified is not None and last_modified == seen.last_modified
    )
    if same:
        return _copy(got, status=304, content=b"", not_modified=True, sniffed_kind="not_modified")
    if got.not_modified:
        return None
    return _copy(got)  # a copy: callers may set fields on their result


def _copy(got: FetchResult, **changes: Any) -> FetchResult:
    """`got` with `changes`, its fields set outside __init__ (`downgraded`) kept."""
    out = replace(got, **changes)
    out.downgraded = got.downgraded
    return out


class MemoFetcher:
    """A fetcher whose pages (GETs, and listing POSTs by their form fields) go through a run's
    memo; everything else (slots, robots, the connections) is the inner fetcher's."""

    def __init__(self, inner: Fetcher, memo: RunMemo, *, fallback: bool = False) -> None:
        self._inner = inner
        self.memo = memo
        self._fallback = fallback  # the inner fetcher falls back to http: its answers are its own

    def fetch(self, url: str, **kwargs: Any) -> Outcome:
        # a report's file is its own agency's: kept, it would only fill the memo
        if kwargs.get("expect") == "document":
            return self._inner.fetch(url, **kwargs)
        data = kwargs.get("data")
        etag, last_modified = kwargs.get("etag"), kwargs.get("last_modified")
        hosts = kwargs.get("allowed_hosts")
        key = (
            url,
            kwargs.get("expect"),
            tuple(hosts) if hosts is not None else None,  # redirects are followed within these only
            self._fallback or bool(kwargs.get("http_fallback")),
            # a listing's page asked by POST (Hanweb's dataproxy, Kaifeng's list form): the same
            # form fields, the same page; the crawler posts nothing that changes a portal
            tuple(sorted(data.items())) if data is not None else None,
        )
        return self.memo.answer(key, etag, last_modified, lambda: self._inner.fetch(url, **kwargs))

    def with_http_fallback(self) -> Fetcher:
        return MemoFetcher(self._inner.with_http_fallback(), self.memo, fallback=True)  # type: ignore[return-value]  # a stand-in, as Fetcher.with_http_fallback's

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def remembering(fetcher: Fetcher, memo: RunMemo) -> Fetcher:
    """`fetcher` answering from `memo` (typed as a Fetcher: it stands in for one)."""
    return MemoFetcher(fetcher, memo)  # type: ignore[return-value]  # a stand-in: fetch() its own, the rest by __getattr__
