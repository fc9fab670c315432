"""The politeness rule read from a replica's request log: per host (the Host header), no
request begins before the previous one was answered plus the delay, so none overlap either.

The log's times are the server's `time.monotonic()`, one clock for every process of the machine,
so requests from several workers are compared as they reached the server. A client that waits
`delay` after it has its answer begins the next request later than `answered + delay` as the
server sees it: the check is exact, no tolerance for timing noise is needed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise

from replicas.server import LoggedRequest


def by_host(requests: Iterable[LoggedRequest]) -> dict[str, list[LoggedRequest]]:
    hosts: dict[str, list[LoggedRequest]] = defaultdict(list)
    for r in requests:
        hosts[r.headers.get("host", "")].append(r)
    return {h: sorted(rs, key=lambda r: r.began) for h, rs in hosts.items()}


def spacing_problems(requests: Iterable[LoggedRequest], delay: float) -> list[str]:
    """One line per pair of consecutive requests to a host closer than `delay` (or overlapping)."""
    problems = []
    for host, rs in by_host(requests).items():
        for before, after in pairwise(rs):
            gap = after.began - before.answered
            if gap < delay:
                what = "overlap" if gap < 0 else f"{gap:.3f} s apart"
                problems.append(f"{host}: {before.path} and {after.path} {what} (delay {delay} s)")
    return problems


def smallest_gap(requests: Iterable[LoggedRequest]) -> float:
    """The smallest gap between consecutive requests to one host (inf with fewer than two)."""
    gaps = [
        after.began - before.answered for rs in by_host(requests).values() for before, after in pairwise(rs)
    ]
    return min(gaps, default=float("inf"))
