"""The report at one URL, as `nianbao check URL` reads it: the file itself, or an article page
(its own tables, else its best attachment), the way a crawl reads a discovered report."""

from __future__ import annotations

from scrapers.discover import DiscoveredReport, fetch_report_document
from scrapers.fetcher import Fetcher, FetchError, FetchResult
from scrapers.meta import find_attachments, read_page


def fetch_report_at(url: str, fetcher: Fetcher) -> FetchResult | FetchError:
    """A `.pdf` link must give a file (a 「文件不存在」 page is a `fake_file` error); any other
    URL may be an HTML report page, read like an article found on a column."""
    got = fetcher.fetch(url)
    if isinstance(got, FetchError) or got.sniffed_kind != "html":
        return got
    page = DiscoveredReport(
        title="",
        agency="",
        year=0,
        url=url,
        published_at=None,
        published_at_source=None,
        attachments=find_attachments(read_page(got.text()), got.final_url),
        article=got,
    )
    return fetch_report_document(page, fetcher)
