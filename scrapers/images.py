"""The images of an HTML report, fetched for OCR the way every other document is fetched.

The parser asks for an <img> by its absolute URL (`reports.parse.ocr.ImageFetcher`); this
answers with its bytes through the crawler's fetcher — polite, robots.txt honoured, only on
the agency's allowed hosts, the article as referer — or None when it cannot be had.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from reports.parse.limits import MAX_OCR_IMAGE_BYTES
from reports.parse.sniff import image_format
from scrapers.fetcher import Fetcher, FetchError

log = logging.getLogger(__name__)


def image_fetcher(
    fetcher: Fetcher, allowed_hosts: list[str] | tuple[str, ...] | None, referer: str | None
) -> Callable[[str], bytes | None]:
    """A callback for `parse_document(fetch_image=...)`."""

    def fetch(url: str) -> bytes | None:
        got = fetcher.fetch(url, allowed_hosts=allowed_hosts, expect="document", referer=referer)
        if isinstance(got, FetchError):
            log.info("report image not fetched: %s (%s: %s)", url, got.kind, got.detail)
            return None
        if got.not_modified or len(got.content) > MAX_OCR_IMAGE_BYTES or image_format(got.content) is None:
            log.info("report image not usable: %s (%d bytes)", url, len(got.content))
            return None
        return got.content

    return fetch
