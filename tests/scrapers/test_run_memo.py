"""A run's memo of portal answers (scrapers/run_memo.py) against a real server on 127.0.0.1: each
request gets what the portal would have said to it, and the portal is asked once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from replicas.server import ReplicaServer, Response
from scrapers.fetcher import FetchError, FetchResult
from scrapers.run_memo import RunMemo, remembering
from tests.fetching import quick_fetcher

PAGE = "<html><body><h1>政府信息公开年报</h1><ul><li>2024年度报告</li></ul></body></html>".encode()
OTHER = "<html><body><p>另一页</p></body></html>".encode()


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    server = ReplicaServer(
        {
            "/robots.txt": Response(body=b"User-agent: *\n", content_type="text/plain"),
            "/col/index.html": Response(body=PAGE, last_modified=1_738_000_000.0),
            "/col/other.html": Response(body=OTHER),
            "/broken.html": Response(500, b"busy"),
            "/report.pdf": Response(body=b"%PDF-1.4\n%%EOF", content_type="application/pdf"),
        },
        latency=0.05,
    )
    yield server
    server.stop()


def _asked(site: ReplicaServer, path: str) -> int:
    return len(site.requests.for_path(path))


def test_a_page_is_asked_once_and_each_request_gets_what_the_portal_would_say(site: ReplicaServer) -> None:
    memo = RunMemo()
    with quick_fetcher() as inner:
        fetcher = remembering(inner, memo)
        url = site.url("/col/index.html")
        first = fetcher.fetch(url, allowed_hosts=["127.0.0.1"])
        assert isinstance(first, FetchResult) and first.status == 200 and first.etag and first.last_modified
        again = fetcher.fetch(url, allowed_hosts=["127.0.0.1"])  # an agency with nothing stored
        assert isinstance(again, FetchResult) and again.content == PAGE and not again.not_modified
        assert again is not first  # a copy: one agency's changes to its result stay its own
        known = fetcher.fetch(url, allowed_hosts=["127.0.0.1"], etag=first.etag)  # had stored this version
        assert isinstance(known, FetchResult) and known.not_modified and known.status == 304
        assert known.content == b""
        stale = fetcher.fetch(url, allowed_hosts=["127.0.0.1"], etag='"an-older-version"')
        assert isinstance(stale, FetchResult) and stale.status == 200 and stale.content == PAGE
        by_date = fetcher.fetch(url, allowed_hosts=["127.0.0.1"], last_modified=first.last_modified)
        assert isinstance(by_date, FetchResult) and by_date.not_modified
    assert _asked(site, "/col/index.html") == 1 and memo.hits == 4


def test_a_304_answers_only_the_validators_it_was_given(site: ReplicaServer) -> None:
    memo = RunMemo()
    with quick_fetcher() as inner:
        plain = inner.fetch(site.url("/col/index.html"))
        assert isinstance(plain, FetchResult)
        fetcher = remembering(inner, memo)
        url = site.url("/col/index.html")
        for _ in range(3):  # agencies that all stored the same version
            got = fetcher.fetch(url, etag=plain.etag)
            assert isinstance(got, FetchResult) and got.not_modified
        assert _asked(site, "/col/index.html") == 2  # the plain read, then one conditional request
        fresh = fetcher.fetch(url)  # an agency that stored nothing: only the portal has the body
        assert isinstance(fresh, FetchResult) and fresh.content == PAGE
        assert _asked(site, "/col/index.html") == 3
        fetcher.fetch(url, etag=plain.etag)
        fetcher.fetch(url)
    assert _asked(site, "/col/index.html") == 3  # the body now answers both


def test_failures_and_report_files_always_reach_the_portal(site: ReplicaServer) -> None:
    memo = RunMemo()
    with quick_fetcher(retries=0) as inner:
        fetcher = remembering(inner, memo)
        for _ in range(2):
            broken = fetcher.fetch(site.url("/broken.html"))
            assert isinstance(broken, FetchError)
            fetcher.fetch(site.url("/report.pdf"), expect="document")
    assert _asked(site, "/broken.html") == 2  # each agency meets the failure itself
    assert _asked(site, "/report.pdf") == 2
    assert memo.hits == 0


def test_a_listing_page_asked_by_post_is_answered_by_its_form_fields(site: ReplicaServer) -> None:
    """Hanweb's later column pages are POSTs to its dataproxy: the same fields are the same
    page (asked once), other fields another page (asked)."""
    memo = RunMemo()
    with quick_fetcher() as inner:
        fetcher = remembering(inner, memo)
        url = site.url("/col/other.html")
        for _ in range(3):
            got = fetcher.fetch(url, data={"startrecord": "46", "endrecord": "90"})
            assert isinstance(got, FetchResult) and got.content == OTHER
        fetcher.fetch(url, data={"endrecord": "90", "startrecord": "46"})  # the same fields, another order
        fetcher.fetch(url, data={"startrecord": "91", "endrecord": "135"})
        fetcher.fetch(url)  # a GET of the address is another question
    posts = [r for r in site.requests.for_path("/col/other.html") if r.method == "POST"]
    assert len(posts) == 2 and _asked(site, "/col/other.html") == 3 and memo.hits == 3


def test_redirect_scope_and_http_fallback_are_part_of_the_question(site: ReplicaServer) -> None:
    """An answer reached within one agency's allowed hosts, or over its http fallback, is not
    another agency's."""
    memo = RunMemo()
    with quick_fetcher() as inner:
        fetcher = remembering(inner, memo)
        url = site.url("/col/index.html")
        fetcher.fetch(url, allowed_hosts=["127.0.0.1"])
        fetcher.fetch(url, allowed_hosts=["127.0.0.1", "other.example"])
        fetcher.with_http_fallback().fetch(url, allowed_hosts=["127.0.0.1"])
        fetcher.with_http_fallback().fetch(url, allowed_hosts=["127.0.0.1"])
    assert _asked(site, "/col/index.html") == 3 and memo.hits == 1


def test_the_oldest_pages_go_when_the_memo_is_full(site: ReplicaServer) -> None:
    memo = RunMemo(max_bytes=len(PAGE) + len(OTHER) - 1)  # room for one of the two
    with quick_fetcher() as inner:
        fetcher = remembering(inner, memo)
        fetcher.fetch(site.url("/col/index.html"))
        fetcher.fetch(site.url("/col/other.html"))  # the index page goes
        fetcher.fetch(site.url("/col/other.html"))
        fetcher.fetch(site.url("/col/index.html"))
    assert memo.bytes <= memo.max_bytes
    assert _asked(site, "/col/other.html") == 1 and _asked(site, "/col/index.html") == 2


def test_agencies_asking_at_the_same_moment_send_one_request(site: ReplicaServer) -> None:
    memo = RunMemo()
    results: list[object] = []
    with quick_fetcher() as inner:
        fetcher = remembering(inner, memo)

        def ask() -> None:
            results.append(fetcher.fetch(site.url("/col/index.html")))

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert _asked(site, "/col/index.html") == 1
    assert all(isinstance(r, FetchResult) and r.content == PAGE for r in results)
