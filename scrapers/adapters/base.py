"""What a list-page adapter returns, and the register of portal families: an adapter module
marks its class with `@family(priority)` and `auto` finds it (no list to edit elsewhere)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from scrapers.fetcher import Fetcher, FetchError, FetchResult

A = TypeVar("A", bound=type)

# adapter class -> priority; `auto.select_adapter` asks the highest first (the most specific
# families, API-driven ones, above the static-HTML ones); the generic adapter is the fallback.
FAMILIES: dict[type, int] = {}


def family(priority: int) -> Callable[[A], A]:
    """Register a portal family's adapter class for detection, at `priority`."""

    def register(cls: A) -> A:
        FAMILIES[cls] = priority
        return cls

    return register


@dataclass(frozen=True)
class ListItem:
    title: str  # full title (title attribute when present, else anchor text)
    url: str
    list_date: datetime | None = None
    truncated: bool = False  # anchor text cut with "…": take the title from the article page


@dataclass
class ListPage:
    items: list[ListItem] = field(default_factory=list)
    page_urls: list[str] = field(default_factory=list)  # other pages of the same column


@dataclass
class ListContext:
    """What an adapter needs to walk a column: the fetcher, host rules, and where to log trouble."""

    fetcher: Fetcher
    allowed_hosts: list[str] | tuple[str, ...] | None
    errors: list[FetchError]
    pages_visited: list[str]
    max_pages: int = 30

    def get(
        self, url: str, data: Mapping[str, str] | None = None, referer: str | None = None
    ) -> FetchResult | None:
        """One list request (GET, or POST with `data`); failures go to `errors`."""
        got = self.fetcher.fetch(url, allowed_hosts=self.allowed_hosts, data=data, referer=referer)
        if not got.ok:
            self.errors.append(got)
            return None
        return got

    def get_html(self, url: str, data: Mapping[str, str] | None = None) -> str | None:
        got = self.get(url, data)
        return got.text() if got is not None else None
