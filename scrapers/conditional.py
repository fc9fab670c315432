"""Validators from the previous crawl, so an unchanged portal costs a few 304s.

Two levels, both optional for `discover` / `fetch_report_document`:

- a plain mapping ``{url: (etag, last_modified)}`` (what the Document table stores): article
  pages and attachments are requested with If-None-Match / If-Modified-Since;
- a `CrawlCache`, which also keeps each entry page's validators and the reports found there
  last time. When the entry page answers 304 and the adapter renders its list on that page,
  the cached reports are returned without any further request, for at most `trust_days`
  after the column was last read in full: an article or attachment replaced under an unchanged
  column (a corrected report) is seen at the next full reading, which is conditional too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapers.fetcher import FetchResult

Validator = tuple[str | None, str | None]  # (etag, last_modified)
Validators = Mapping[str, Validator]


@dataclass
class CrawlCache:
    """What one crawl leaves for the next; JSON-serialisable (`to_json` / `from_json`)."""

    validators: dict[str, Validator] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # entry url -> {adapter, reports}
    trust_unchanged_entry: bool = True  # entry 304 => reuse the reports found last time
    trust_days: float = 7.0  # ... when the column was read in full less than this long ago
    documents: dict[str, str] = field(default_factory=dict)  # report url -> the file read for it
    # What the store knows of a URL it has no validators for (the newest stored version's),
    # asked only when a request for it is about to be made: an unchanged crawl asks none, so
    # loading every stored document's validators up front was work (and cache file) for nothing.
    stored: Callable[[str], Validator | None] | None = field(default=None, repr=False, compare=False)
    saved_as: str | None = field(default=None, repr=False, compare=False)  # the JSON it was read from

    def get(self, url: str) -> Validator | None:
        """The validators the crawls of this cache last saw for `url`, else the store's. Older
        ones than the store's (a neighbour's crawl stored a newer version) only cost a 200
        whose body is then known by its digest."""
        found = self.validators.get(url)
        if found is None and self.stored is not None:
            return self.stored(url)
        return found

    def record(self, result: FetchResult) -> None:
        """Remember a 200's validators under the URL that was asked for."""
        if not result.not_modified and (result.etag or result.last_modified):
            self.validators[result.url] = (result.etag, result.last_modified)

    def trusted_entry(self, entry_url: str, now: datetime | None = None) -> dict[str, Any] | None:
        """Last crawl's reports of `entry_url`, when an unchanged column may stand for them:
        trust is on and the column was read in full (`checked_at`) within `trust_days`."""
        entry = self.entries.get(entry_url)
        if entry is None or not self.trust_unchanged_entry or not entry.get("checked_at"):
            return None
        try:
            checked = datetime.fromisoformat(entry["checked_at"])
        except (TypeError, ValueError):
            return None
        age = (now or datetime.now(UTC)) - checked
        return entry if timedelta(0) <= age < timedelta(days=self.trust_days) else None

    def to_json(self) -> str:
        saved = {
            "validators": self.validators,
            "entries": self.entries,
            "trust_unchanged_entry": self.trust_unchanged_entry,
            "trust_days": self.trust_days,
            "documents": self.documents,
        }
        return json.dumps(saved, ensure_ascii=False, default=_iso)

    @classmethod
    def from_json(cls, text: str) -> CrawlCache:
        raw = json.loads(text)
        return cls(
            {k: (v[0], v[1]) for k, v in raw.get("validators", {}).items()},
            raw.get("entries", {}),
            raw.get("trust_unchanged_entry", True),
            raw.get("trust_days", 7.0),
            dict(raw.get("documents", {})),
            saved_as=text,
        )


def lookup(validators: Validators | CrawlCache | None, url: str) -> Validator:
    """(etag, last_modified) to send for `url`; (None, None) when unknown."""
    if validators is None:
        return None, None
    found = validators.get(url)
    return (found[0], found[1]) if found else (None, None)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)
