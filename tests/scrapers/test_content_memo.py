"""What discovery reads off a page is read once per page content (scrapers/content_memo.py): on
a shared column, served by a real replica portal on 127.0.0.1, every agency of the district
discovers the same reports while each list page and each article is parsed once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup

from replicas.national import build_district
from replicas.server import ReplicaServer
from scrapers.adapters import generic
from scrapers.content_memo import content_memo, page_key
from scrapers.discover import article_facts, discover
from scrapers.meta import read_page
from scrapers.run_memo import RunMemo, remembering
from tests.fetching import quick_fetcher


@pytest.fixture
def shared_column() -> Iterator[tuple[ReplicaServer, str, int]]:
    routes, agencies = build_district(0, 4, (2023, 2024), "shared", pdf_every=0)
    server = ReplicaServer(routes)
    yield server, agencies[0].entry_path, len(agencies)
    server.stop()


def test_every_agency_sees_the_same_reports_and_each_page_is_parsed_once(
    shared_column: tuple[ReplicaServer, str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, entry, agencies = shared_column
    generic._parsed_list.cache_clear()  # type: ignore[attr-defined]
    article_facts.cache_clear()  # type: ignore[attr-defined]
    parsed: dict[str, int] = {"lists": 0, "articles": 0}

    def counting_soup(*args: Any, **kwargs: Any) -> Any:
        parsed["lists"] += 1
        return BeautifulSoup(*args, **kwargs)

    def counting_read_page(html: str) -> Any:
        parsed["articles"] += 1
        return read_page(html)

    monkeypatch.setattr("scrapers.adapters.generic.BeautifulSoup", counting_soup)
    monkeypatch.setattr("scrapers.discover.read_page", counting_read_page)
    seen = []
    with quick_fetcher() as inner:
        fetcher = remembering(inner, RunMemo())
        for _ in range(agencies):  # each agency of the district discovers on the shared column
            found = discover(server.url(entry), fetcher, allowed_hosts=["127.0.0.1"])
            assert not found.errors
            seen.append(
                sorted(
                    (r.url, r.title, r.agency, r.year, r.published_at, tuple(r.attachments))
                    for r in found.reports
                )
            )
            once = dict(parsed)
    assert seen[0] and all(s == seen[0] for s in seen)  # the same reports, dates and links for everyone
    assert parsed == once  # the later agencies parsed nothing again
    articles = {q.path for q in server.requests if "/art/" in q.path}  # each asked once (the run memo)
    assert len(articles) == len([q for q in server.requests if "/art/" in q.path])
    assert parsed["articles"] == len(articles) and parsed["lists"] >= 1  # each article read once


def test_a_changed_page_is_read_again_and_the_memo_keeps_no_page_text() -> None:
    calls: list[str] = []

    @content_memo(maxsize=2)
    def read(text: str, url: str) -> tuple[int, str]:
        calls.append(text)
        return len(text), url

    page = "<html>" + "年度报告" * 5_000 + "</html>"
    assert read(page, "http://a/x.html") == read(page, "http://a/x.html")
    assert read(page + " ", "http://a/x.html") == (len(page) + 1, "http://a/x.html")  # changed: read again
    assert read(page, "http://a/y.html")[1] == "http://a/y.html"  # same text, another URL: links differ
    assert len(calls) == 3
    read(page + "  ", "http://a/x.html")  # beyond maxsize: the least recently used reading goes
    assert read(page, "http://a/x.html") == (len(page), "http://a/x.html") and len(calls) == 5
    kept = read.cache  # type: ignore[attr-defined]
    assert all(isinstance(k[0], bytes) and len(k[0]) == 16 for k in kept)  # digests, not pages
    assert page_key(page, "u") == page_key(str(page), "u") != page_key(page, "v")
