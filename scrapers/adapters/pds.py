"""Pingdingshan-style channels/contents columns (SiteServer-like, spec §1.6B).

Pages are `/channels/{id}.html`, `/channels/{id}_2.html`…; the page count comes only from
「当前第 1 / 3」, so every page is derived from it rather than from 「下一页」 links.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from scrapers.adapters.base import ListContext, ListItem, family
from scrapers.adapters.generic import GenericAdapter

_CHANNEL = re.compile(r"^(?P<stem>.*/channels/\d+)(?:_\d+)?\.html$")
_TOTAL = re.compile(r"当前第\s*\d+\s*/\s*(\d+)")


@family(30)
class PdsAdapter(GenericAdapter):
    name = "pds"

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return bool(_CHANNEL.match(urlsplit(url).path)) or (
            "/contents/" in html and bool(_TOTAL.search(html))
        )

    def collect(self, html: str, url: str, ctx: ListContext) -> list[ListItem]:
        items: dict[str, ListItem] = {}
        parts = urlsplit(url)
        m = _CHANNEL.match(parts.path)
        total = int(t.group(1)) if (t := _TOTAL.search(html)) else 1
        pages = [url]
        if m:
            stem = m.group("stem")
            pages += [
                urlunsplit((parts.scheme, parts.netloc, f"{stem}_{n}.html", "", ""))
                for n in range(2, total + 1)
            ]
        for n, page_url in enumerate(pages):
            if len(ctx.pages_visited) >= ctx.max_pages:
                break
            page_html = html if n == 0 else ctx.get_html(page_url)
            if page_html is None:
                continue
            ctx.pages_visited.append(page_url)
            for item in self.parse_list(page_html, page_url).items:
                items.setdefault(item.url, item)
        return list(items.values())
