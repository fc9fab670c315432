"""Memoise a page reader on the page's content, without keeping the page.

On a shared column every agency of a district reads the same list pages and articles: the
run memo (`scrapers.run_memo`) hands each of them the same answer, and what discovery reads
off an answer depends on its content and URL alone. `functools.lru_cache` would keep each
page as its key (articles with inline reports are 30–150 kB); a digest is kept instead, so the
memo holds only what was read off the pages (immutable: every caller gets the same object).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

from cachetools import LRUCache, cached

P = ParamSpec("P")
T = TypeVar("T")


def page_key(content: str | bytes, url: str, *context: str | None) -> tuple[object, ...]:
    """A page by the digest of its content, with its URL (links in it resolve against the URL)
    and what else its reading depends on (e.g. the Content-Type that names its charset)."""
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest(), url, *context


def content_memo(maxsize: int) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate ``read(content, url, *context)``: the `maxsize` most recently used readings
    kept, thread-safe."""
    memo = cached(LRUCache(maxsize=maxsize), key=page_key, lock=threading.Lock())
    return cast("Callable[[Callable[P, T]], Callable[P, T]]", memo)
