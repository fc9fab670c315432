"""Memoise a page reader on the page's content, without keeping the page.

On a shared column every agency of a district reads the same list pages and articles: the
run memo (`scrapers.run_memo`) hands each of them the same answer, and what discovery reads
off an answer depends on its text and URL alone. `functools.lru_cache` would keep each page's
text as its key (articles with inline reports are 30–150 kB); a digest is kept instead, so
the memo holds only what was read off the pages (immutable: every caller gets the same object).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import TypeVar

from cachetools import LRUCache, cached

T = TypeVar("T")


def page_key(text: str, url: str) -> tuple[bytes, str]:
    """A page's text by its digest, and its URL (links in it resolve against the URL)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), url


def content_memo(maxsize: int) -> Callable[[Callable[[str, str], T]], Callable[[str, str], T]]:
    """Decorate ``read(text, url)``: the `maxsize` most recently used readings kept, thread-safe."""
    return cached(LRUCache(maxsize=maxsize), key=page_key, lock=threading.Lock())
