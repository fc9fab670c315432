"""Generic list-page adapter: any column page whose links carry report titles.

Pagination: TRS `createPageHTML(n, cur, "index", "shtml")` (page 2 is index_1), links to
`index_N`/`list_N` pages in the same folder, and 「下一页」 links.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from reports.numerals import digits_year
from scrapers.adapters.base import ListContext, ListItem, ListPage
from scrapers.content_memo import content_memo
from scrapers.meta import find_date
from scrapers.titles import is_report_title, normalise_title

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:'[^']*'\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w\-]+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
_PAGE_FILE = re.compile(r"^(index|list|[\w\-]+_list)(?:_\d+)?\.s?html?$")
_NEXT_TEXTS = {"下一页", "下页", "后一页", "下一页>", ">"}
_PARTIAL = re.compile(r"(?:19|20)\d{2}年度?(?:政府)?信息公开")


class GenericAdapter:
    name = "generic"
    entry_holds_list = True  # the entry page itself lists the items (its 304 means "unchanged")

    @classmethod
    def detect(cls, html: str, url: str) -> bool:
        return True

    def collect(self, html: str, url: str, ctx: ListContext) -> list[ListItem]:
        """Every item of the column: this page, then the pages it links to (breadth first)."""
        queue: list[tuple[str, str | None]] = [(url, html)]
        seen_pages = {url}
        items: dict[str, ListItem] = {}
        while queue and len(ctx.pages_visited) < ctx.max_pages:
            page_url, page_html = queue.pop(0)
            if page_html is None:
                page_html = ctx.get_html(page_url)
                if page_html is None:
                    continue
            ctx.pages_visited.append(page_url)
            page = self.parse_list(page_html, page_url)
            for item in page.items:
                items.setdefault(item.url, item)
            for next_url in page.page_urls:
                if next_url not in seen_pages:
                    seen_pages.add(next_url)
                    queue.append((next_url, None))
        return list(items.values())

    def parse_list(self, html: str, url: str) -> ListPage:
        """The report links and the other pages of one list page. Memoised on the page's text: a
        shared column's pages are read by each agency of the district (the run memo hands them
        the same answer), and parsing them again took a quarter of each agency's crawl."""
        items, page_urls = _parsed_list(html, url)
        return ListPage(list(items), list(page_urls))


@content_memo(maxsize=256)
def _parsed_list(html: str, url: str) -> tuple[tuple[ListItem, ...], tuple[str, ...]]:
    """(report links, other pages of the column) of a list page; immutable, so shared."""
    soup = BeautifulSoup(html, "lxml")
    page = ListPage()
    seen: set[str] = set()
    for a in soup.find_all("a", href=True):
        if not isinstance(a, Tag):
            continue
        href = str(a["href"]).strip()
        if href.startswith(("javascript:", "#", "mailto:")):
            continue
        full = urljoin(url, href)
        text = normalise_title(a.get_text("", strip=True))
        title = normalise_title(str(a.get("title") or "")) or text
        truncated = False
        if not is_report_title(title):
            if not (title.endswith(("…", "...")) and _PARTIAL.search(digits_year(title))):
                continue
            truncated = True
        if full in seen:
            continue
        seen.add(full)
        page.items.append(ListItem(title, full, _row_date(a), truncated))
    page.page_urls = _page_urls(soup, html, url)
    return tuple(page.items), tuple(page.page_urls)


def _row_date(a: Tag) -> datetime | None:
    """The date printed beside the link (same li/tr), if any."""
    row = a.find_parent(["li", "tr", "dd", "p"]) or a.parent
    if row is None:
        return None
    link_text = a.get_text(" ", strip=True)
    text = row.get_text(" ", strip=True).replace(link_text, " ")
    return find_date(text)


def _same_dir(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return pa.netloc == pb.netloc and posixpath.dirname(pa.path) == posixpath.dirname(pb.path)


def _page_urls(soup: BeautifulSoup, html: str, url: str) -> list[str]:
    urls: list[str] = []
    for m in _CREATE_PAGE.finditer(html):
        total, prefix, ext = int(m.group(1)), m.group(3), m.group(4)
        urls.extend(
            urljoin(url, f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}") for i in range(total)
        )
    for a in soup.find_all("a", href=True):
        if not isinstance(a, Tag):
            continue
        href = str(a["href"]).strip()
        if href.startswith(("javascript:", "#")):
            continue
        full = urljoin(url, href)
        name = posixpath.basename(urlsplit(full).path)
        if a.get_text(strip=True) in _NEXT_TEXTS or (_PAGE_FILE.match(name) and _same_dir(full, url)):
            urls.append(full)
    out: list[str] = []
    for u in urls:
        u = u.split("#", 1)[0]
        if u not in out and _same_dir(u, url):
            out.append(u)
    return out
