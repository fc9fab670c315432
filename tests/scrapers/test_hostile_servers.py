"""Servers that fight back, on 127.0.0.1: each fetch ends within its budget and says why.

Each test asserts how the fetch ended (which budget cut it off, what reached the server), never
how long it took: that is bench/'s job.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from replicas.hostile import HostileServer, answer, never_answer, trickle_body, trickle_headers
from replicas.server import ReplicaServer, Response
from replicas.site import tiny_png
from reports.parse import parse_document
from scrapers.discover import DiscoveredReport, fetch_report_document
from scrapers.fetcher import FetchError, FetchResult
from scrapers.meta import find_attachments, read_page
from tests.fetching import quick_fetcher
from tests.parse.pdfgen import text_pdf

pytestmark = pytest.mark.slow  # each test waits out a fetch budget

BUDGET: dict[str, Any] = {
    "deadline": 2.0,
    "min_rate": 100.0,
    "rate_window": 1.0,
    "timeout": 5.0,
    "respect_robots": False,
}


def _err(outcome: FetchResult | FetchError) -> FetchError:
    assert isinstance(outcome, FetchError), outcome
    return outcome


def _wait_for(condition, limit: float = 10.0) -> None:
    """Until `condition()` holds (a server saw a request, say), polling; fails past `limit`."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.01)


# -- time budget -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "cut_off"),
    [
        (trickle_body(every=0.1), "slow"),
        (trickle_headers(every=0.1), "slow"),
        (never_answer(), "deadline"),
    ],
    ids=["trickle-body", "trickle-headers", "never-answer"],
)
def test_a_stalling_server_is_cut_off_and_not_retried(behaviour, cut_off: str) -> None:
    with HostileServer(behaviour) as site, quick_fetcher(retries=2, **BUDGET) as f:
        got = f.fetch(site.url("/zfxxgk/index.html"))
        assert len(site.paths) == 1  # not retried: another try would cost another budget
    err = _err(got)
    assert err.kind == "unreachable" and err.evidence["cut_off"] == cut_off
    assert err.evidence["address"] == "127.0.0.1"
    assert ("过慢" if cut_off == "slow" else "秒内未完成") in err.detail


def test_without_a_minimum_rate_the_deadline_still_bounds_a_trickle() -> None:
    with HostileServer(trickle_body(every=0.1)) as site, quick_fetcher(**{**BUDGET, "min_rate": 0}) as f:
        err = _err(f.fetch(site.url("/a.html")))
    assert err.evidence["cut_off"] == "deadline" and err.evidence["received_bytes"] > 0


def test_a_host_that_keeps_running_out_of_time_is_skipped_for_a_while() -> None:
    with HostileServer(trickle_body(every=0.1)) as site, quick_fetcher(slow_strikes=2, **BUDGET) as f:
        first = [_err(f.fetch(site.url(f"/a{i}.html"))) for i in range(2)]
        skipped = _err(f.fetch(site.url("/a3.html")))
        assert site.paths == ["/a0.html", "/a1.html"]  # the third never reached the server
    assert all(e.evidence["cut_off"] == "slow" for e in first)
    assert skipped.kind == "unreachable" and skipped.evidence["slow_host"] is True


def test_a_slow_host_does_not_hold_up_another_host() -> None:
    fine = HostileServer(answer(b"<html><body><p>fine</p></body></html>"))
    with HostileServer(never_answer()) as slow, fine, quick_fetcher(**BUDGET) as f:
        results: dict[str, object] = {}
        stuck = threading.Thread(target=lambda: results.setdefault("slow", f.fetch(slow.url("/x.html"))))
        stuck.start()
        _wait_for(lambda: bool(slow.paths))  # the slow request holds its host's slot now
        results["fine"] = f.fetch(fine.url("/y.html"))
        slow_still_waiting = stuck.is_alive() and "slow" not in results
        stuck.join()
    assert isinstance(results["fine"], FetchResult) and slow_still_waiting  # not queued behind it
    assert isinstance(results["slow"], FetchError)


# -- robots.txt --------------------------------------------------------------------------------

PAGE = Response(body="<html><body><p>栏目页面内容</p></body></html>".encode())


def _robots_site(robots: Response | object, extra: dict | None = None) -> ReplicaServer:
    routes = {
        "/robots.txt": robots,
        "/private/a.html": PAGE,
        "/public/a.html": PAGE,
        "/files/report.pdf": Response(body=b"%PDF-1.4\n%%EOF", content_type="application/pdf"),
        "/files/report.pdf.html": PAGE,
        "/open/report.pdf": Response(body=b"%PDF-1.4\n%%EOF", content_type="application/pdf"),
        **(extra or {}),
    }
    return ReplicaServer(routes)


def test_robots_behind_a_redirect_is_followed() -> None:
    moved = Response(301, b"", headers=(("Location", "/static/robots.txt"),), conditional=False)
    rules = Response(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    with _robots_site(moved, {"/static/robots.txt": rules}) as site, quick_fetcher() as f:
        err = _err(f.fetch(site.url("/private/a.html")))
        assert err.kind == "not_allowed" and err.evidence["robots"] is True
        assert isinstance(f.fetch(site.url("/public/a.html")), FetchResult)
        assert site.requests.for_path("/private/a.html") == []
        assert len(site.requests.for_path("/static/robots.txt")) == 1  # cached for the host


def test_robots_answering_503_disallows_everything() -> None:
    with _robots_site(Response(503, b"busy", conditional=False)) as site, quick_fetcher(retries=1) as f:
        err = _err(f.fetch(site.url("/public/a.html")))
        assert site.requests.for_path("/public/a.html") == []
        assert len(site.requests.for_path("/robots.txt")) == 2  # a 5xx is retried like any page
    assert err.kind == "not_allowed" and err.evidence["robots_status"] == 503
    assert "RFC 9309" in err.detail


@pytest.mark.parametrize("status", [404, 403, 410])
def test_robots_answering_4xx_allows_everything(status: int) -> None:
    with _robots_site(Response(status, b"no", conditional=False)) as site, quick_fetcher() as f:
        assert isinstance(f.fetch(site.url("/private/a.html")), FetchResult)


def test_robots_behind_an_anti_bot_gateway_leaves_the_block_to_the_page() -> None:
    gate = Response(521, b"<script>x</script>", headers=(("Set-Cookie", "__jsluid_s=1; path=/"),))
    with _robots_site(gate, {"/public/a.html": gate}) as site, quick_fetcher(retries=0) as f:
        err = _err(f.fetch(site.url("/public/a.html")))
    assert err.kind == "blocked" and err.evidence["vendor"] == "jiasule"


def test_robots_wildcards_and_end_anchors() -> None:
    rules = b"User-agent: *\nDisallow: /*.pdf$\nAllow: /open/*.pdf$\n"
    with _robots_site(Response(body=rules, content_type="text/plain")) as site, quick_fetcher() as f:
        blocked = _err(f.fetch(site.url("/files/report.pdf")))
        assert blocked.kind == "not_allowed" and blocked.evidence["robots"]
        assert isinstance(f.fetch(site.url("/files/report.pdf.html")), FetchResult)  # `$` anchors
        assert isinstance(f.fetch(site.url("/open/report.pdf")), FetchResult)  # the longer Allow wins
        assert site.requests.for_path("/files/report.pdf") == []


def test_robots_is_fetched_once_per_host_however_many_threads_ask() -> None:
    slow_rules = Response(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    with _robots_site(slow_rules) as site, quick_fetcher() as f:
        site.latency = 0.2
        threads = [threading.Thread(target=f.fetch, args=(site.url("/public/a.html"),)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(site.requests.for_path("/robots.txt")) == 1
        assert len(site.requests.for_path("/public/a.html")) == 6


# -- what a body is: one sniffer for the fetcher and the parser ---------------------------------


@pytest.mark.parametrize("lead", [b"\r\n", b"\n\n", b"\xef\xbb\xbf", b"   ", b"\r\n \t"])
def test_a_pdf_with_leading_bytes_is_a_pdf_for_the_fetcher_and_the_parser(lead: bytes) -> None:
    pdf = lead + text_pdf("Annual report 2024\n(1) proactive disclosure")
    routes = {"/download.jsp": Response(body=pdf, content_type="application/octet-stream")}
    with ReplicaServer(routes) as site, quick_fetcher() as f:
        got = f.fetch(site.url("/download.jsp?id=1"), expect="document")
    assert isinstance(got, FetchResult) and got.sniffed_kind == "pdf", got
    parsed = parse_document(got.content, content_type=got.content_type, filename="download.jsp")
    assert parsed.input_kind == "pdf" and "Annual report 2024" in parsed.text


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize(("name", "body"), [("scan.gif", GIF), ("scan.tif", TIFF), ("scan.png", tiny_png())])
def test_image_attachments_are_files_not_fake_ones(name: str, body: bytes) -> None:
    article = (
        "<html><body><h1>某局2024年政府信息公开工作年度报告</h1>"
        f'<p><a appendix="true" href="./{name}">年报扫描件</a></p></body></html>'
    ).encode()
    routes = {
        "/nb/a1.html": Response(body=article),
        f"/nb/{name}": Response(body=body, content_type="image/x"),
    }
    with ReplicaServer(routes) as site, quick_fetcher() as f:
        page = f.fetch(site.url("/nb/a1.html"))
        assert isinstance(page, FetchResult)
        attachments = find_attachments(read_page(page.text()), page.final_url)
        found = DiscoveredReport(
            "某局2024年政府信息公开工作年度报告", "某局", 2024, page.url, None, None, attachments
        )
        found.article = page
        doc = fetch_report_document(found, f, ["127.0.0.1"])
    assert isinstance(doc, FetchResult) and doc.url.endswith(name), doc
    assert doc.sniffed_kind == "image"
