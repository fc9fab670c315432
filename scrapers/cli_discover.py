"""What `nianbao discover URL [--json]` prints: the reports one portal column lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapers.discover import discover
from scrapers.fetcher import Fetcher


def discover_json(url: str, fetcher: Fetcher, allowed_hosts: list[str] | None = None) -> list[dict[str, Any]]:
    """One dict per report (ISO datetimes). Only the entry's host is trusted unless told otherwise.

    Site trouble (blocked, unreachable) raises `DiscoverFailed` so the CLI can print the reason.
    """
    hosts = allowed_hosts if allowed_hosts is not None else [urlsplit(url).hostname or ""]
    result = discover(url, fetcher, hosts)
    if result.errors and not result.reports:
        raise DiscoverFailed([f"{e.kind}: {e.detail}" for e in result.errors])
    return [
        {
            "title": r.title,
            "agency": r.agency,
            "year": r.year,
            "url": r.url,
            "published_at": r.published_at.isoformat() if r.published_at else None,
            "published_at_source": r.published_at_source,
            "attachments": [a.url for a in r.attachments],
            "adapter": r.adapter,
            "agency_source": r.agency_source,
        }
        for r in result.reports
    ]


class DiscoverFailed(Exception):
    """The column could not be read at all; `.reasons` says why (Chinese, for the user)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
