"""Kaifeng-style `viewCmsCac.do` columns: an empty shell, rows from `POST getHtmlInDivNormal.do`.

The shell only names the container (`{cacId}pagelist`); rows come 30 at a time by `offset`.
A WZWS challenge in front of the shell is caught by the fetcher and reported as "blocked".
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from scrapers.adapters.base import ListContext, ListItem, family
from scrapers.adapters.generic import GenericAdapter

_DIV = re.compile(r"""id=["'](\w+pagelist)["']""")
STEP = 30


@family(50)
class KaifengAdapter(GenericAdapter):
    name = "kaifeng"
    entry_holds_list = False  # the shell never changes; the rows do

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return "viewCmsCac.do" in url or "getHtmlInDivNormal.do" in html

    def collect(self, html: str, url: str, ctx: ListContext) -> list[ListItem]:
        ctx.pages_visited.append(url)
        cac = (parse_qs(urlsplit(url).query).get("cacId") or [""])[0]
        div = m.group(1) if (m := _DIV.search(html)) else f"{cac}pagelist"
        endpoint = urljoin(url, "getHtmlInDivNormal.do?ajaxform")
        items: dict[str, ListItem] = {}
        offset = 0
        while len(ctx.pages_visited) < ctx.max_pages:
            form = {
                "gwcsCode": "undefined",
                "divId": div,
                "requestUrl": url.split("?", 1)[0],
                "cacId": cac,
                "queryString": "undefined",
                "offset": str(offset),
            }
            fragment = ctx.get_html(endpoint, data=form)
            if fragment is None:
                break
            ctx.pages_visited.append(f"{endpoint}&offset={offset}")
            page = self.parse_list(fragment, url)
            rows = fragment.count("<tr")
            for item in page.items:
                items.setdefault(item.url, item)
            if rows < STEP:
                break
            offset += STEP
        return list(items.values())
