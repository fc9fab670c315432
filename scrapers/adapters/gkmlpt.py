"""gkmlpt (Guangdong 信息公开目录): JSON list API behind `window._CONFIG`.

`/gkmlpt/index` gives the SID and the category tree; the annual-report category (else all,
id 0) is listed by `api/all/{cat}?page=N&sid=S` until `total` articles have been seen.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from scrapers.adapters.base import ListContext, ListItem, family
from scrapers.adapters.generic import GenericAdapter
from scrapers.meta import find_date
from scrapers.titles import is_report_title, normalise_title

_SID = re.compile(r"""["']?SID["']?\s*:\s*["']?(\w+)""")
_NODE = re.compile(r"""\{[^{}]*?["']?id["']?\s*:\s*(\d+)[^{}]*?["']?name["']?\s*:\s*["']([^"']+)["']""")


@family(40)
class GkmlptAdapter(GenericAdapter):
    name = "gkmlpt"
    entry_holds_list = False

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return "/gkmlpt/" in url and "_CONFIG" in html

    def collect(self, html: str, url: str, ctx: ListContext) -> list[ListItem]:
        ctx.pages_visited.append(url)
        sid = m.group(1) if (m := _SID.search(html)) else ""
        cat = next((cid for cid, name in _NODE.findall(html) if "年度报告" in name or "年报" in name), "0")
        base = urljoin(url, f"api/all/{cat}")
        items: dict[str, ListItem] = {}
        seen, page = 0, 1
        while len(ctx.pages_visited) < ctx.max_pages:
            api = f"{base}?page={page}&sid={sid}"
            got = ctx.get(api, referer=url)
            if got is None:
                break
            ctx.pages_visited.append(api)
            try:
                data = json.loads(got.content.decode("utf-8"))
            except ValueError:
                break
            articles = data.get("articles") or []
            for art in articles:
                title = normalise_title(str(art.get("title", "")))
                if is_report_title(title) and art.get("url"):
                    full = urljoin(url, str(art["url"]))
                    items.setdefault(full, ListItem(title, full, find_date(str(art.get("created_at", "")))))
            seen += len(articles)
            if not articles or seen >= int(data.get("total") or 0):
                break
            page += 1
        return list(items.values())
