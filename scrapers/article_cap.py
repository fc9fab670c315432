"""At most so many article fetches per column and run; the rest wait for the next run.

A column of 300 links cost 300 requests at the polite delay every run. With a cap, a run
reads the articles it knows nothing about first — those that have waited longest first
(the order they were first seen in, kept in the crawl cache), then new ones in list order —
then re-checks known ones; a known article left out this time stands for itself with what
the last crawl learnt (as an unchanged one would), an unknown one is deferred and said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapers.adapters import ListItem


@dataclass
class Rationed:
    fetch: list[ListItem] = field(default_factory=list)  # read this run
    carried: list[dict[str, Any]] = field(default_factory=list)  # known, not read: last crawl's entry
    deferred: dict[str, str] = field(default_factory=dict)  # unknown, not read: url -> first seen


def ration(
    items: list[ListItem],
    cap: int | None,
    known: dict[str, dict[str, Any]],
    waiting: dict[str, str],
    now: datetime | None = None,
) -> Rationed:
    """Split a column's `items` into what to fetch now (at most `cap`) and the rest.

    `known`: article url -> the cached report found there last time; `waiting`: article url ->
    when it was first seen and left unread (from the crawl cache)."""
    if cap is None or len(items) <= cap:
        return Rationed(fetch=list(items))
    stamp = (now or datetime.now(UTC)).isoformat()
    unknown = [i for i in items if i.url not in known]
    order = {i.url: n for n, i in enumerate(items)}
    unknown.sort(key=lambda i: (waiting.get(i.url, stamp), order[i.url]))  # longest waiting first
    ranked = unknown + [i for i in items if i.url in known]
    out = Rationed(fetch=ranked[:cap])
    for item in ranked[cap:]:
        if item.url in known:
            out.carried.append(known[item.url])
        else:
            out.deferred[item.url] = waiting.get(item.url, stamp)
    return out
