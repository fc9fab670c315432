"""Validators from the previous crawl, so an unchanged portal costs a few 304s.

Two levels, both optional for `discover` / `fetch_report_document`:

- a plain mapping ``{url: (etag, last_modified)}`` (what the Document table stores): article
  pages and attachments are requested with If-None-Match / If-Modified-Since;
- a `CrawlCache`, which also keeps each entry page's validators and the reports found there
  last time. When the entry page answers 304 and the adapter renders its list on that page,
  the cached reports are returned without any further request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
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

    def get(self, url: str) -> Validator | None:
        return self.validators.get(url)

    def record(self, result: FetchResult) -> None:
        """Remember a 200's validators under the URL that was asked for."""
        if not result.not_modified and (result.etag or result.last_modified):
            self.validators[result.url] = (result.etag, result.last_modified)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=_iso)

    @classmethod
    def from_json(cls, text: str) -> CrawlCache:
        raw = json.loads(text)
        return cls(
            {k: (v[0], v[1]) for k, v in raw.get("validators", {}).items()},
            raw.get("entries", {}),
            raw.get("trust_unchanged_entry", True),
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
