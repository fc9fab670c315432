"""What a list-page adapter returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
