"""An unchanged portal costs little: the second crawl downloads no report body again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from replicas.family_portal import FamilyPortal, start_family_portal
from scrapers.conditional import CrawlCache
from scrapers.discover import discover, fetch_report_document
from scrapers.fetcher import Fetcher, FetchResult

HOSTS = ["127.0.0.1"]


@pytest.fixture
def fam() -> Iterator[FamilyPortal]:
    with start_family_portal() as p:
        yield p


def _crawl(fam: FamilyPortal, fetcher: Fetcher, family: str, validators) -> list[FetchResult]:
    result = discover(fam.entry_url(family), fetcher, HOSTS, validators=validators)
    assert result.errors == []
    docs = []
    for found in result.reports:
        doc = fetch_report_document(found, fetcher, HOSTS, validators=validators)
        assert isinstance(doc, FetchResult)
        docs.append(doc)
    return docs


def _document_paths(fam: FamilyPortal, docs: list[FetchResult]) -> set[str]:
    return {d.url.removeprefix(fam.base_url) for d in docs}


@pytest.mark.parametrize("family", ["hanweb", "pds", "kaifeng", "gkmlpt"])
def test_second_crawl_with_cache_downloads_no_report_body(
    fam: FamilyPortal, fetcher: Fetcher, family: str
) -> None:
    cache = CrawlCache()
    first = _crawl(fam, fetcher, family, cache)
    doc_paths = _document_paths(fam, first)
    assert any(d.sniffed_kind == "pdf" for d in first) and any(d.sniffed_kind == "html" for d in first)
    restored = CrawlCache.from_json(cache.to_json())  # what the caller persists between runs
    fam.requests.clear()
    second = _crawl(fam, fetcher, family, restored)
    assert len(second) == len(first)
    assert all(d.not_modified and d.content == b"" for d in second)
    log = list(fam.requests)
    report_bytes = sum(r.bytes for r in log if r.path.split("?")[0] in doc_paths)
    assert report_bytes == 0
    assert all(r.status == 304 for r in log if r.path in doc_paths)
    assert not any(r.status == 200 and ".pdf" in r.path for r in log)
    if family in ("hanweb", "pds"):  # the column page itself answered 304: nothing else asked
        assert [(r.path, r.status) for r in log] == [(fam.entry_url(family).removeprefix(fam.base_url), 304)]


def test_document_validators_alone_give_304s(fam: FamilyPortal, fetcher: Fetcher) -> None:
    """The pipeline's way: {Document.url: (etag, last_modified)} from the last fetch of each report."""
    first = _crawl(fam, fetcher, "hanweb", None)
    validators = {d.url: (d.etag, d.last_modified) for d in first}
    assert all(e or lm for e, lm in validators.values())
    doc_paths = _document_paths(fam, first)
    fam.requests.clear()
    second = _crawl(fam, fetcher, "hanweb", validators)
    assert all(d.not_modified for d in second)
    assert {d.url for d in second} == {d.url for d in first}
    log = list(fam.requests)
    assert sum(r.bytes for r in log if r.path in doc_paths) == 0
    # downfile.jsp answers 302 whatever the validators; the /attach/0/ file behind it gives the 304
    bodies = [r for r in log if r.path in doc_paths or r.path.startswith("/hanweb/attach/0/")]
    assert sum(1 for r in bodies if r.status == 304) == len(doc_paths)
    assert sum(r.bytes for r in bodies) == 0
    # attachments' articles are re-read (small HTML), the PDFs behind them are not
    assert any(r.path.startswith("/hanweb/attach/0/") and r.status == 304 for r in log)


def test_stale_validators_still_get_the_body(fam: FamilyPortal, fetcher: Fetcher) -> None:
    first = _crawl(fam, fetcher, "pds", None)
    stale = {d.url: ('"0000"', "Mon, 01 Jan 2001 00:00:00 GMT") for d in first}
    second = _crawl(fam, fetcher, "pds", stale)
    assert all(not d.not_modified and d.content for d in second)
    assert [d.content for d in second] == [d.content for d in first]


def test_an_unchanged_column_is_trusted_only_within_the_window() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 2, 1, 8, tzinfo=UTC)
    cache = CrawlCache(trust_days=7)
    cache.entries = {
        "fresh": {"checked_at": (now - timedelta(days=6, hours=23)).isoformat(), "reports": []},
        "stale": {"checked_at": (now - timedelta(days=7)).isoformat(), "reports": []},
        "future": {"checked_at": (now + timedelta(days=1)).isoformat(), "reports": []},  # clock moved back
        "legacy": {"reports": []},  # written before columns had a date: read in full once
        "garbled": {"checked_at": "yesterday", "reports": []},
    }
    assert [u for u in cache.entries if cache.trusted_entry(u, now)] == ["fresh"]
    assert cache.trusted_entry("unknown", now) is None
    restored = CrawlCache.from_json(cache.to_json())
    assert restored.trusted_entry("fresh", now) == cache.entries["fresh"]
    restored.trust_unchanged_entry = False  # a manual recrawl
    assert restored.trusted_entry("fresh", now) is None


def test_an_unchanged_article_has_its_attachment_asked_again(fam: FamilyPortal, fetcher: Fetcher) -> None:
    """With the column read in full (not trusted), articles answer 304 and the PDF each report
    was read from is asked again, conditionally: 304 and no body while it is unchanged."""
    cache = CrawlCache()
    first = _crawl(fam, fetcher, "pds", cache)
    pdfs = {d.url.removeprefix(fam.base_url) for d in first if d.sniffed_kind == "pdf"}
    assert pdfs
    restored = CrawlCache.from_json(cache.to_json())
    restored.trust_unchanged_entry = False
    fam.requests.clear()
    second = _crawl(fam, fetcher, "pds", restored)
    assert all(d.not_modified for d in second)
    asked = [r for r in fam.requests if r.path in pdfs]
    assert sorted(r.path for r in asked) == sorted(pdfs)
    assert all(r.status == 304 and r.bytes == 0 for r in asked), asked
    assert {d.url.removeprefix(fam.base_url) for d in second} >= pdfs  # the 304 named is the PDF's


def test_a_report_read_from_its_article_has_no_attachment_asked_again(fetcher: Fetcher) -> None:
    """The article held the tables (its side attachment was never the report): when the article
    answers 304, nothing else is asked, even for an attachment we hold validators for."""
    from replicas.server import ReplicaServer, Response
    from scrapers.discover import DiscoveredReport
    from scrapers.meta import Attachment

    with ReplicaServer({"/a/side.xls": Response(body=b"\xd0\xcf\x11\xe0" + b"\0" * 600)}) as site:
        article_url, side = site.url("/a/1.html"), site.url("/a/side.xls")
        cache = CrawlCache(validators={side: ('"x"', None)}, documents={article_url: article_url})
        found = DiscoveredReport(
            "某局2023年政府信息公开工作年度报告", "某局", 2023, article_url, None, None,
            attachments=[Attachment(side, "附表", ".xls")],
            article=FetchResult(article_url, article_url, 304, None, b"", not_modified=True),
            not_modified=True,
        )  # fmt: skip
        got = fetch_report_document(found, fetcher, HOSTS, validators=cache)
        assert isinstance(got, FetchResult) and got.not_modified and got.url == article_url
        assert [r.path for r in site.requests] == []
        cache.documents.clear()  # an older cache, without the record: the attachment is asked
        fetch_report_document(found, fetcher, HOSTS, validators=cache)
        assert [r.path for r in site.requests if r.path != "/robots.txt"] == ["/a/side.xls"]
