"""Find the annual reports published in one portal column.

`discover` walks the column's pages, keeps the links whose titles are annual reports, and
reads each article page for its real title, publication date (with its source) and
attachments. Site trouble comes back in `.errors`, so "unreachable"/"blocked" is a result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup

from scrapers.adapters import ListItem, adapter_by_name, select_adapter
from scrapers.fetcher import Fetcher, FetchError, FetchResult
from scrapers.meta import Attachment, extract_published, find_attachments, meta_content
from scrapers.titles import normalise_title, parse_report_title

log = logging.getLogger(__name__)

ATTACHMENT_PREFERENCE = (".pdf", ".docx", ".doc", ".wps", ".ofd", ".xlsx", ".xls", ".rtf")
_TABLE_MARKERS = ("第二十条", "本年新收", "行政复议", "本年制发件数")


@dataclass
class DiscoveredReport:
    title: str
    agency: str  # as the title (or ContentSource) names it; match with titles.agency_matches
    year: int
    url: str  # the article page (or the document itself when the list links straight to it)
    published_at: datetime | None
    published_at_source: str | None  # meta:PubDate | label:发布日期 | label:发布时间 | url | list
    attachments: list[Attachment] = field(default_factory=list)
    adapter: str = "generic"
    list_date: datetime | None = None
    article: FetchResult | None = field(default=None, repr=False, compare=False)


@dataclass
class DiscoveryResult:
    entry_url: str
    reports: list[DiscoveredReport] = field(default_factory=list)
    errors: list[FetchError] = field(default_factory=list)
    pages_visited: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def discover(
    entry_url: str,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None = None,
    *,
    max_pages: int = 30,
    adapter: str | None = None,
) -> DiscoveryResult:
    """All annual reports listed under `entry_url` (every page of the column)."""
    result = DiscoveryResult(entry_url)
    first = fetcher.fetch(entry_url, allowed_hosts=allowed_hosts, expect="html")
    if isinstance(first, FetchError):
        result.errors.append(first)
        return result
    html = first.text()
    chosen = adapter_by_name(adapter) if adapter else select_adapter(html, first.final_url)
    queue: list[tuple[str, str | None]] = [(first.final_url, html)]
    seen_pages = {entry_url, first.final_url}
    items: dict[str, ListItem] = {}
    while queue and len(result.pages_visited) < max_pages:
        page_url, page_html = queue.pop(0)
        if page_html is None:
            fetched = fetcher.fetch(page_url, allowed_hosts=allowed_hosts, expect="html")
            if isinstance(fetched, FetchError):
                result.errors.append(fetched)
                continue
            page_html = fetched.text()
        result.pages_visited.append(page_url)
        page = chosen.parse_list(page_html, page_url)
        for item in page.items:
            items.setdefault(item.url, item)
        for next_url in page.page_urls:
            if next_url not in seen_pages:
                seen_pages.add(next_url)
                queue.append((next_url, None))
    for item in items.values():
        report = _read_article(item, fetcher, allowed_hosts, result)
        if report is not None:
            report.adapter = chosen.name
            result.reports.append(report)
    return result


def _read_article(
    item: ListItem,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None,
    result: DiscoveryResult,
) -> DiscoveredReport | None:
    parsed = parse_report_title(item.title)
    fetched = fetcher.fetch(item.url, allowed_hosts=allowed_hosts)
    if isinstance(fetched, FetchError):
        result.errors.append(fetched)
        if parsed is None:
            return None
        return DiscoveredReport(
            item.title,
            parsed[0],
            parsed[1],
            item.url,
            item.list_date,
            "list" if item.list_date else None,
            list_date=item.list_date,
        )
    if fetched.sniffed_kind != "html":  # the list linked straight to a document
        if parsed is None:
            return None
        return DiscoveredReport(
            item.title,
            parsed[0],
            parsed[1],
            item.url,
            item.list_date,
            "list" if item.list_date else None,
            [Attachment(fetched.final_url, item.title, "." + fetched.sniffed_kind)],
            list_date=item.list_date,
            article=fetched,
        )
    soup = BeautifulSoup(fetched.text(), "lxml")
    title = item.title
    article_title = meta_content(soup, "ArticleTitle")
    if article_title and parse_report_title(article_title):
        title = normalise_title(article_title)
    elif item.truncated:
        h1 = soup.find(["h1", "h2"])
        if h1 and parse_report_title(h1.get_text("", strip=True)):
            title = normalise_title(h1.get_text("", strip=True))
    parsed = parse_report_title(title)
    if parsed is None:
        log.info("not an annual report after reading the article: %s", item.url)
        return None
    agency, year = parsed
    if not agency:
        agency = meta_content(soup, "ContentSource") or ""
    published = extract_published(soup, fetched.final_url)
    if published is None and item.list_date:
        published = (item.list_date, "list")
    return DiscoveredReport(
        title=title,
        agency=agency,
        year=year,
        url=item.url,
        published_at=published[0] if published else None,
        published_at_source=published[1] if published else None,
        attachments=find_attachments(soup, fetched.final_url),
        list_date=item.list_date,
        article=fetched,
    )


def article_holds_report(html: str) -> bool:
    """True when the article page itself carries the report's tables (not just a link)."""
    soup = BeautifulSoup(html, "lxml")
    tables = soup.find_all("table")
    rows = sum(len(t.find_all("tr")) for t in tables)
    text = soup.get_text("", strip=True)
    return rows >= 8 and sum(marker in text for marker in _TABLE_MARKERS) >= 2


def fetch_report_document(
    discovered: DiscoveredReport,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None = None,
) -> FetchResult | FetchError:
    """The document to parse: the article HTML when it holds the tables, else its best attachment.

    Attachments may sit on another host (oss.henan.gov.cn), so pass the agency's allowed hosts.
    Falls back to the article HTML when no attachment can be fetched (image-only pages etc.).
    """
    article: FetchResult | FetchError | None = discovered.article
    if article is None:
        article = fetcher.fetch(discovered.url, allowed_hosts=allowed_hosts)
    if isinstance(article, FetchError):
        return article
    if article.sniffed_kind != "html" or article_holds_report(article.text()):
        return article
    ranked = sorted(
        discovered.attachments,
        key=lambda a: ATTACHMENT_PREFERENCE.index(a.ext) if a.ext in ATTACHMENT_PREFERENCE else 99,
    )
    last_error: FetchError | None = None
    for att in ranked:
        for candidate in filter(None, (att.url, att.alt_url)):
            got = fetcher.fetch(
                candidate, allowed_hosts=allowed_hosts, expect="document", referer=article.final_url
            )
            if isinstance(got, FetchResult):
                return got
            last_error = got
    if last_error is not None and not article_has_text(article.text()):
        return last_error
    return article


def article_has_text(html: str) -> bool:
    soup = BeautifulSoup(html, "lxml")
    return len(soup.get_text("", strip=True)) > 500
