"""Find the annual reports published in one portal column.

`discover` walks the column's pages, keeps the links whose titles are annual reports, and
reads each article page for its real title, publication date (with its source) and
attachments. Site trouble comes back in `.errors`, so "unreachable"/"blocked" is a result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml.html import HtmlElement

from reports.parse.decode import decode_bytes
from reports.parse.htmltree import text_of
from reports.parse.sniff import IMAGE_EXTS
from scrapers.adapters import ListContext, ListItem, adapter_by_name, select_adapter
from scrapers.article_cap import ration
from scrapers.conditional import CrawlCache, Validators, lookup
from scrapers.content_memo import content_memo
from scrapers.fetcher import Fetcher, FetchError, FetchResult, host_allowed
from scrapers.meta import (
    Attachment,
    date_from_url,
    extract_published,
    find_attachments,
    meta_content,
    read_page,
    unit_of_page,
)
from scrapers.titles import normalise_title, parse_report_title

log = logging.getLogger(__name__)

# documents first; a scan published as an image attachment last (read by OCR)
ATTACHMENT_PREFERENCE = (".pdf", ".docx", ".doc", ".wps", ".ofd", ".xlsx", ".xls", ".rtf", *IMAGE_EXTS)
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
    not_modified: bool = False  # the article answered 304 (or the whole entry was unchanged)
    # What named the agency: "title", "page:unit_line", "label:发布机构", "meta:ContentSource" …;
    # None when nothing did (the pipeline may still know it from the column: "own_column").
    agency_source: str | None = None
    # The article could not be fetched: the report is known from its list entry only.
    article_error: FetchError | None = field(default=None, repr=False, compare=False)

    def to_cache(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "url": self.url,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "published_at_source": self.published_at_source,
            "attachments": [[a.url, a.name, a.ext, a.alt_url] for a in self.attachments],
            "adapter": self.adapter,
            "list_date": self.list_date.isoformat() if self.list_date else None,
            "agency_source": self.agency_source,
        }

    @classmethod
    def from_cache(cls, raw: dict[str, Any]) -> DiscoveredReport:
        return cls(
            raw["title"],
            raw["agency"],
            raw["year"],
            raw["url"],
            _dt(raw.get("published_at")),
            raw.get("published_at_source"),
            [Attachment(*a) for a in raw.get("attachments", [])],
            raw.get("adapter", "generic"),
            _dt(raw.get("list_date")),
            agency_source=raw.get("agency_source"),
        )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class DiscoveryResult:
    entry_url: str
    reports: list[DiscoveredReport] = field(default_factory=list)
    errors: list[FetchError] = field(default_factory=list)
    pages_visited: list[str] = field(default_factory=list)
    from_cache: bool = False  # entry page unchanged: reports are last crawl's, nothing else fetched
    # Errors on articles whose list entry already named a report (it is seen, from the list):
    # they do not hide a report. Every other error (a list page, an article whose list title says
    # nothing) might.
    seen: list[FetchError] = field(default_factory=list)
    deferred: dict[str, str] = field(default_factory=dict)  # articles left for the next run -> first seen

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def blind_spots(self) -> list[FetchError]:
        """The errors behind which a report could hide."""
        return [e for e in self.errors if not any(e is s for s in self.seen)]

    @property
    def complete(self) -> bool:
        """Every list page and every entry that might be a report was read (none left for the
        next run by the article cap): only then can "no report for the year" be said."""
        return not self.blind_spots and not self.deferred


def discover(
    entry_url: str,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None = None,
    *,
    max_pages: int = 30,
    adapter: str | None = None,
    validators: Validators | CrawlCache | None = None,
    http_fallback: bool = False,
    max_articles: int | None = None,
) -> DiscoveryResult:
    """All annual reports listed under `entry_url` (every page of the column).

    `max_articles`: at most this many article fetches (`scrapers.article_cap`); the rest are in
    `DiscoveryResult.deferred` and come first next run (through the `CrawlCache`).

    `validators` (url -> (etag, last_modified), or a `CrawlCache`) makes article requests
    conditional; an article answering 304 gives a report with `not_modified=True`.
    Links to hosts outside `allowed_hosts` (SEO clones, mirrors) are ignored, never fetched.
    """
    result = DiscoveryResult(entry_url)
    cache = validators if isinstance(validators, CrawlCache) else None
    cached_entry = cache.trusted_entry(entry_url) if cache else None
    etag, last_modified = lookup(cache, entry_url) if cached_entry else (None, None)
    first = fetcher.fetch(
        entry_url,
        allowed_hosts=allowed_hosts,
        expect="html",
        etag=etag,
        last_modified=last_modified,
        http_fallback=http_fallback,
    )
    if isinstance(first, FetchError):
        result.errors.append(first)
        return result
    if first.not_modified and cached_entry is not None:
        result.from_cache = True
        result.pages_visited.append(entry_url)
        for raw in cached_entry["reports"]:
            report = DiscoveredReport.from_cache(raw)
            report.not_modified = True
            result.reports.append(report)
        return result
    if first.not_modified:  # a validator we did not send ourselves; fetch plainly
        first = fetcher.fetch(entry_url, allowed_hosts=allowed_hosts, expect="html")
        if isinstance(first, FetchError):
            result.errors.append(first)
            return result
    html = first.text()
    chosen = adapter_by_name(adapter) if adapter else select_adapter(html, first.final_url)
    ctx = ListContext(fetcher, allowed_hosts, result.errors, result.pages_visited, max_pages)
    items = []
    for item in chosen.collect(html, first.final_url, ctx):
        if host_allowed(item.url, allowed_hosts):
            items.append(item)
        else:
            log.info("ignoring off-site link (clone or mirror?): %s", item.url)
    previous = cache.entries.get(entry_url, {}) if cache is not None else {}
    known = {u: None for u in previous.get("others", [])} | {r["url"]: r for r in previous.get("reports", [])}
    rationed = ration(items, max_articles, known, previous.get("deferred", {}))
    others = [i.url for i in items if i.url in known and known[i.url] is None and i not in rationed.fetch]
    for item in rationed.fetch:
        failures = len(result.errors)
        found = _read_article(item, fetcher, allowed_hosts, result, validators)
        if found is not None:
            found.adapter = chosen.name
            result.reports.append(found)
        elif len(result.errors) == failures:
            others.append(item.url)  # read, and not an annual report
    for raw in rationed.carried:
        if raw is not None:  # a known report left unread this run stands as last crawl saw it
            carried = DiscoveredReport.from_cache(raw)
            carried.not_modified = True
            result.reports.append(carried)
    result.deferred = rationed.deferred
    if rationed.deferred:
        log.info(
            "%s: %d article(s) left for the next run (cap %s)",
            entry_url,
            len(rationed.deferred),
            max_articles,
        )
    if cache is not None:
        complete = chosen.entry_holds_list and not result.errors and not rationed.deferred
        cache.record(first)
        cache.entries[entry_url] = {
            "adapter": chosen.name,
            # only a column read in full, without errors, may stand for its reports (trust_days)
            "checked_at": datetime.now(UTC).isoformat() if complete else None,
            "reports": [r.to_cache() for r in result.reports],
            "others": others,
            "deferred": rationed.deferred,
        }
    return result


def _read_article(
    item: ListItem,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None,
    result: DiscoveryResult,
    validators: Validators | CrawlCache | None = None,
) -> DiscoveredReport | None:
    parsed = parse_report_title(item.title)
    etag, last_modified = lookup(validators, item.url)
    fetched = fetcher.fetch(item.url, allowed_hosts=allowed_hosts, etag=etag, last_modified=last_modified)
    if isinstance(fetched, FetchError):
        result.errors.append(fetched)
        if parsed is None:
            return None
        result.seen.append(fetched)
        return _from_list(item, parsed, article_error=fetched)
    if isinstance(validators, CrawlCache):
        validators.record(fetched)
    if fetched.not_modified:
        return _unchanged_article(item, fetched, validators)
    if fetched.sniffed_kind != "html":  # the list linked straight to a document
        if parsed is None:
            return None
        return _from_list(
            item,
            parsed,
            attachments=[Attachment(fetched.final_url, item.title, "." + fetched.sniffed_kind)],
            article=fetched,
        )
    facts = article_facts(fetched.content, fetched.final_url, fetched.content_type)
    title = item.title
    if facts.article_title and parse_report_title(facts.article_title):
        title = normalise_title(facts.article_title)
    elif item.truncated and facts.heading is not None and parse_report_title(facts.heading):
        title = normalise_title(facts.heading)
    parsed = parse_report_title(title)
    if parsed is None:
        log.info("not an annual report after reading the article: %s", item.url)
        return None
    agency, year = parsed
    agency_source: str | None = "title" if agency else None
    if not agency and (unit := article_unit(fetched.content, fetched.final_url, fetched.content_type)):
        agency, agency_source = unit
    published = facts.published
    if published is None and item.list_date:
        published = (item.list_date, "list")
    return DiscoveredReport(
        title=title,
        agency=agency,
        year=year,
        url=item.url,
        published_at=published[0] if published else None,
        published_at_source=published[1] if published else None,
        attachments=list(facts.attachments),
        list_date=item.list_date,
        article=fetched,
        agency_source=agency_source,
    )


@dataclass(frozen=True)
class ArticleFacts:
    """What discovery reads off every article page: its ArticleTitle metadata, its first h1/h2,
    its publication date and its document links (the unit it names: `article_unit`, only asked
    when the title names none); and for fetching the report, whether the page carries the
    report's tables itself and whether it has text worth parsing (`holds_report`, `has_text`)."""

    article_title: str | None
    heading: str | None
    published: tuple[datetime, str] | None
    attachments: tuple[Attachment, ...]
    holds_report: bool
    has_text: bool


@content_memo(maxsize=1024)
def article_facts(content: bytes, final_url: str, content_type: str | None) -> ArticleFacts:
    """The page read once for all of discovery's questions. Memoised on the page's bytes (not
    even decoded again): on a shared column every agency of the district reads every article
    (the run memo hands them the same answer), and reading each page again cost a fifth of each
    agency's crawl."""
    page = _article_page(content, content_type)
    first_heading = next(page.iter("h1", "h2"), None) if page is not None else None
    text = text_of(page, "", strip=True) if page is not None else ""
    return ArticleFacts(
        article_title=meta_content(page, "ArticleTitle"),
        heading=text_of(first_heading, "", strip=True) if first_heading is not None else None,
        published=extract_published(page, final_url),
        attachments=tuple(find_attachments(page, final_url)),
        holds_report=page is not None and _holds_report(page, text),
        has_text=len(text) > 500,
    )


@content_memo(maxsize=256)
def article_unit(content: bytes, final_url: str, content_type: str | None) -> tuple[str, str] | None:
    """(unit, source) the page names, for an article whose title names none (`unit_of_page`:
    two thirds of reading a page, so not asked of the others)."""
    return unit_of_page(_article_page(content, content_type))


def _article_page(content: bytes, content_type: str | None) -> HtmlElement | None:
    """The article's tree from its bytes, decoded as `FetchResult.text` decodes them."""
    return read_page(decode_bytes(content, content_type).text)


def _unchanged_article(
    item: ListItem, fetched: FetchResult, validators: Validators | CrawlCache | None
) -> DiscoveredReport | None:
    """A 304 article: last crawl's metadata when cached, else what the list says."""
    if isinstance(validators, CrawlCache):
        for entry in validators.entries.values():
            for raw in entry["reports"]:
                if raw["url"] == item.url:
                    report = DiscoveredReport.from_cache(raw)
                    report.not_modified, report.article = True, fetched
                    return report
    parsed = parse_report_title(item.title)
    if parsed is None:
        return None
    return _from_list(item, parsed, article=fetched, not_modified=True)


def _holds_report(root: HtmlElement, text: str) -> bool:
    """The article page itself carries the report's tables (not just a link); `text`: its text."""
    rows = sum(1 for t in root.iter("table") for _ in t.iter("tr"))  # a nested table's rows count twice
    return rows >= 8 and sum(marker in text for marker in _TABLE_MARKERS) >= 2


def fetch_report_document(
    discovered: DiscoveredReport,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None = None,
    *,
    validators: Validators | CrawlCache | None = None,
) -> FetchResult | FetchError:
    """The document to parse: the article HTML when it holds the tables, else its best attachment.

    Attachments may sit on another host (oss.henan.gov.cn), so pass the agency's allowed hosts.
    Falls back to the article HTML when no attachment can be fetched (image-only pages etc.).
    With `validators`, the answer may be a `FetchResult` with `not_modified=True` (no body):
    its `.url` is the document that is unchanged (the article, or the attachment).
    """
    if discovered.not_modified and discovered.article is None:
        # the whole column was unchanged and trusted (`CrawlCache.trust_days`)
        return FetchResult(discovered.url, discovered.url, 304, None, b"", not_modified=True)
    got = _report_document(discovered, fetcher, allowed_hosts, validators)
    if isinstance(got, FetchResult) and isinstance(validators, CrawlCache):
        validators.documents[discovered.url] = got.url  # what the report was read from
    return got


def _report_document(
    discovered: DiscoveredReport,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None,
    validators: Validators | CrawlCache | None,
) -> FetchResult | FetchError:
    if discovered.article_error is not None:  # asked a moment ago in this crawl: not again
        return discovered.article_error
    if discovered.not_modified and discovered.article is not None:
        return _recheck_attachment(discovered, discovered.article, fetcher, allowed_hosts, validators)
    article: FetchResult | FetchError | None = discovered.article
    if article is None:
        etag, last_modified = lookup(validators, discovered.url)
        article = fetcher.fetch(
            discovered.url, allowed_hosts=allowed_hosts, etag=etag, last_modified=last_modified
        )
    if isinstance(article, FetchError):
        return article
    if article.not_modified:
        return article
    if article.sniffed_kind != "html":
        return article
    facts = article_facts(article.content, article.final_url, article.content_type)  # read in discovery
    if facts.holds_report:
        return article
    last_error: FetchError | None = None
    for candidate in _candidates(discovered.attachments):
        got = _fetch_attachment(candidate, article, fetcher, allowed_hosts, validators)
        if isinstance(got, FetchResult):
            return got
        last_error = got
    if last_error is not None and not facts.has_text:
        return last_error
    return article


def _candidates(attachments: list[Attachment]) -> list[str]:
    """The attachment addresses in the order a report is looked for in them (PDF first)."""
    ranked = sorted(
        attachments,
        key=lambda a: ATTACHMENT_PREFERENCE.index(a.ext) if a.ext in ATTACHMENT_PREFERENCE else 99,
    )
    return [url for a in ranked for url in (a.url, a.alt_url) if url]


def _fetch_attachment(
    url: str,
    article: FetchResult,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None,
    validators: Validators | CrawlCache | None,
) -> FetchResult | FetchError:
    """One attachment, conditionally when its validators are known, remembered in the cache."""
    etag, last_modified = lookup(validators, url)
    got = fetcher.fetch(
        url,
        allowed_hosts=allowed_hosts,
        expect="document",
        referer=article.final_url,
        etag=etag,
        last_modified=last_modified,
    )
    if isinstance(got, FetchResult) and isinstance(validators, CrawlCache):
        validators.record(got)
    return got


def _recheck_attachment(
    discovered: DiscoveredReport,
    article: FetchResult,
    fetcher: Fetcher,
    allowed_hosts: list[str] | tuple[str, ...] | None,
    validators: Validators | CrawlCache | None,
) -> FetchResult:
    """An unchanged article may still hold a replaced file (a corrected PDF uploaded under the
    same link): ask again for the document the report was read from last time (`CrawlCache.
    documents`), conditionally when we hold its validators, else in full (the pipeline knows an
    unchanged body by its digest); without that record (an older cache), the first attachment in
    preference order we hold validators for. Its 304 (no body) or its bytes are the answer; when
    the report was read from the article itself, or the file cannot be fetched now, the
    article's 304 stands (the stored version is the last one known)."""
    itself = (article.url, article.final_url)
    used = validators.documents.get(discovered.url) if isinstance(validators, CrawlCache) else None
    if used is None:  # an older cache: the first attachment we hold validators for
        used = next(
            (
                u
                for u in _candidates(discovered.attachments)
                if u not in itself and lookup(validators, u) != (None, None)
            ),
            None,
        )
    if used is None or used in itself:
        return article  # read from the article itself (its 304 is the answer), or nothing to ask
    got = _fetch_attachment(used, article, fetcher, allowed_hosts, validators)
    if isinstance(got, FetchError):
        log.warning("could not re-check %s (%s: %s); keeping the stored version", used, got.kind, got.detail)
        return article
    return got


def _from_list(item: ListItem, parsed: tuple[str, int], **extra: Any) -> DiscoveredReport:
    """A report known only from its list entry: title, agency and year, and a date with its
    source: the one the list prints beside the link, else the one in a TRS-style URL."""
    published, source = item.list_date, "list" if item.list_date else None
    if published is None and (from_url := date_from_url(item.url)) is not None:
        published, source = from_url, "url"
    return DiscoveredReport(
        item.title,
        parsed[0],
        parsed[1],
        item.url,
        published,
        source,
        list_date=item.list_date,
        agency_source="title" if parsed[0] else None,
        **extra,
    )
