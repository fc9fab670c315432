"""Hanweb jcms (大汉): records in an embedded `<datastore>`, the rest from `dataproxy.jsp`.

The column page's `<ul>` is empty; the first 15–45 records sit in
`<script type="text/xml"><datastore>` as CDATA `<li>`s. Further groups are POSTed to the
`proxyUrl` with the `param_N` fields and `startrecord/endrecord/perpage`. Servers that ignore
startrecord (they page by `page=`) are noticed when a group brings nothing new.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from scrapers.adapters.base import ListContext, ListItem, family
from scrapers.adapters.generic import GenericAdapter

_DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.S)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_PARAM = re.compile(r"var\s+param_\d+\s*=\s*\{(.*?)\}", re.S)
_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_TOTAL = re.compile(r"totalRecord\s*:\s*(\d+)|<totalrecord>\s*(\d+)", re.I)
_PROXY = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_PER_PAGE = re.compile(r"perPage\s*:\s*(\d+)")
GROUP = 45


@family(60)
class HanwebAdapter(GenericAdapter):
    name = "hanweb"

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return "<datastore>" in html or "dataproxy.jsp" in html or "jpage(" in html

    def collect(self, html: str, url: str, ctx: ListContext) -> list[ListItem]:
        ctx.pages_visited.append(url)
        items: dict[str, ListItem] = {}
        self._add(items, _records(html), url)
        total = _int(_TOTAL.search(html))
        proxy = _PROXY.search(html)
        param = _PARAM.search(html)
        if not (proxy and param) or total <= len(items):
            return list(items.values())
        proxy_url = urljoin(url, proxy.group(1))
        fields = {
            m.group(1): next(g for g in m.groups()[1:] if g is not None)
            for m in _PAIR.finditer(param.group(1))
        }
        per_page = _int(_PER_PAGE.search(html)) or 15
        seen_rows = len(_records(html))
        page_mode = False
        page = seen_rows // per_page + 1
        while seen_rows < total and len(ctx.pages_visited) < ctx.max_pages:
            if page_mode:
                query = f"page={page}&perpage={per_page}"
                page += 1
            else:
                query = f"startrecord={seen_rows + 1}&endrecord={seen_rows + GROUP}&perpage={per_page}"
            xml = ctx.get_html(f"{proxy_url}?{query}", data=fields)
            if xml is None:
                break
            ctx.pages_visited.append(f"{proxy_url}?{query}")
            before = len(items)
            rows = _records(xml)
            self._add(items, rows, url)
            if len(items) == before:
                if page_mode or not rows:
                    break
                page_mode = True  # the server ignored startrecord: page by page= instead
                continue
            seen_rows += len(rows) if page_mode else min(len(rows), GROUP)
        return list(items.values())

    def _add(self, items: dict[str, ListItem], records: list[str], url: str) -> None:
        page = self.parse_list("<ul>" + "".join(records) + "</ul>", url)
        for item in page.items:
            items.setdefault(item.url, item)


def _records(text: str) -> list[str]:
    store = _DATASTORE.search(text)
    return _RECORD.findall(store.group(0)) if store else []


def _int(m: re.Match[str] | None) -> int:
    if not m:
        return 0
    return int(next(g for g in m.groups() if g))
