"""What one crawl leaves for the next, so an unchanged portal costs little: the validators
(ETag, Last-Modified) of stored documents for conditional requests, and the agency's crawl
cache file (column-page validators and last crawl's reports)."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from sqlmodel import col, select

from models.db import session_scope
from models.tables import Agency, Document
from nianbao.runtime.settings import Settings
from scrapers.conditional import CrawlCache
from scrapers.fetcher import host_allowed

log = logging.getLogger("nianbao.crawl.cache")


def document_validators(
    settings: Settings, jurisdiction_id: int, hosts: list[str]
) -> dict[str, tuple[str | None, str | None]]:
    """(etag, last_modified) of the newest stored version of every URL the jurisdiction's agencies
    fetched on these hosts, for conditional requests: an unchanged portal answers 304 and sends no
    report body. The jurisdiction, not the agency: a shared column lists (and discovery reads) its
    neighbours' reports too; and not the whole database, so a cycle stays linear in agencies."""
    out: dict[str, tuple[str | None, str | None]] = {}
    with session_scope(settings.db_url) as s:
        docs = s.exec(
            select(Document.url, Document.etag, Document.last_modified)
            .join(Agency, col(Agency.id) == Document.agency_id)
            .where(Agency.jurisdiction_id == jurisdiction_id)
            .order_by(col(Document.last_seen))
        ).all()
        for url, etag, last_modified in docs:  # later versions overwrite earlier ones
            if (etag or last_modified) and host_allowed(url, hosts):
                out[url] = (etag, last_modified)
    return out


def crawl_cache_path(settings: Settings, agency_id: int) -> Path:
    """``<data>/crawl-cache/<sha1>.json``: what the agency's last crawl left for the next one.
    Keyed by database too: a cache must never claim "unchanged" for rows another database lacks."""
    key = f"{settings.db_url}|agency:{agency_id}"
    return settings.data_dir / "crawl-cache" / (hashlib.sha1(key.encode()).hexdigest() + ".json")


def load_crawl_cache(settings: Settings, agency_id: int) -> CrawlCache:
    """The agency's `CrawlCache` (column-page validators and last crawl's reports), or an empty
    one when there is none or it cannot be read (a cache must never stop a crawl)."""
    path = crawl_cache_path(settings, agency_id)
    try:
        return CrawlCache.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return CrawlCache()
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        log.warning("ignoring unreadable crawl cache %s", path)
        return CrawlCache()


def save_crawl_cache(settings: Settings, agency_id: int, cache: CrawlCache) -> None:
    """Write the cache atomically; without any column to remember, drop the file instead."""
    path = crawl_cache_path(settings, agency_id)
    try:
        if not cache.entries:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(cache.to_json(), encoding="utf-8")
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except OSError:
        log.warning("could not save crawl cache %s", path, exc_info=True)
