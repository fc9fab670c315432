"""Failure fixtures of spec §5.8 not covered elsewhere: Referer checks, soft throttling, broken
TLS, SEO clones and an unbounded stream. Every server is real HTTP(S) on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from replicas.families import pds
from replicas.families.units import make_pubs
from replicas.server import ReplicaServer, Request, Response, Route
from replicas.site import tiny_png
from scrapers.discover import discover, fetch_report_document
from scrapers.fetcher import Fetcher, FetchError, FetchResult
from tests.fetching import quick_fetcher

PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF"
ARTICLE = (
    "<html><head><meta charset='utf-8'><meta name='PubDate' content='2025-01-20 09:00'></head><body>"
    "<h1>示例区财政局2024年政府信息公开工作年度报告</h1><p>详见附件。</p>"
    "<a href='/files/report.pdf'>示例区财政局2024年政府信息公开工作年度报告.pdf</a></body></html>"
).encode()
LIST = (
    "<html><head><meta charset='utf-8'></head><body><ul>"
    "<li><a href='/nb/a1.html' title='示例区财政局2024年政府信息公开工作年度报告'>示例区财政局…</a><span>2025-01-20</span></li>"
    "</ul></body></html>"
).encode()


def _err(outcome: FetchResult | FetchError) -> FetchError:
    assert isinstance(outcome, FetchError), outcome
    return outcome


# -- Referer-required download -------------------------------------------------------------
def test_download_needing_referer_works_through_fetch_report_document(fetcher: Fetcher) -> None:
    def guarded(req: Request) -> Response:
        if "/nb/a1.html" not in req.headers.get("referer", ""):
            return Response(403, b"<html><body>Forbidden</body></html>", conditional=False)
        return Response(body=PDF, content_type="application/pdf")

    routes: dict[str, Route] = {
        "/nb/index.html": Response(body=LIST),
        "/nb/a1.html": Response(body=ARTICLE),
        "/files/report.pdf": guarded,
    }
    with ReplicaServer(routes) as site:
        assert _err(fetcher.fetch(site.url("/files/report.pdf"))).evidence["status"] == 403
        found = discover(site.url("/nb/index.html"), fetcher, ["127.0.0.1"]).reports
        assert [r.title for r in found] == ["示例区财政局2024年政府信息公开工作年度报告"]
        doc = fetch_report_document(found[0], fetcher, ["127.0.0.1"])
        assert isinstance(doc, FetchResult) and doc.sniffed_kind == "pdf"
        sent = [r.headers.get("referer") for r in site.requests.for_path("/files/report.pdf")]
        assert sent[-1] == site.url("/nb/a1.html")


# -- 0 bytes after a burst -----------------------------------------------------------------
class _Burst:
    """Answers 200 with 0 bytes once more than `limit` requests arrive without a pause."""

    def __init__(self, limit: int, quiet: float) -> None:
        self.limit, self.quiet = limit, quiet
        self.lock = threading.Lock()
        self.streak = 0
        self.last = 0.0

    def __call__(self, req: Request) -> Response:
        import time

        with self.lock:
            now = time.monotonic()
            self.streak = self.streak + 1 if now - self.last < self.quiet else 1
            self.last = now
            empty = self.streak > self.limit
        if empty:
            return Response(body=b"", conditional=False)
        return Response(body=ARTICLE, conditional=False)


def test_zero_byte_burst_backs_off_and_records_it() -> None:
    burst = _Burst(limit=3, quiet=0.1)
    with ReplicaServer({"/p.html": burst}) as site, quick_fetcher(retries=2, backoff=0.15) as f:
        results = [f.fetch(site.url("/p.html")) for _ in range(6)]
        assert all(isinstance(r, FetchResult) and r.content == ARTICLE for r in results)
        assert f.throttled[f"127.0.0.1:{site.port}"] >= 1
        assert any(r.status == 200 and r.bytes == 0 for r in site.requests)


def test_zero_bytes_forever_gives_up_after_bounded_attempts() -> None:
    with ReplicaServer({"/p.html": Response(body=b"", conditional=False)}) as site:
        with quick_fetcher(retries=2, backoff=0.01) as f:
            err = _err(f.fetch(site.url("/p.html")))
        assert err.kind == "blocked" and err.evidence["vendor"] == "empty"
        assert err.evidence["empty_attempts"] == 3
        assert len(site.requests.for_path("/p.html")) == 3  # retries + 1, never more
        assert f.throttled[f"127.0.0.1:{site.port}"] == 3


# -- broken TLS ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.example-district.gov.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    d: Path = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    return ctx


@pytest.fixture
def tls_site(self_signed: ssl.SSLContext) -> Iterator[ReplicaServer]:
    routes = {"/nb/index.html": Response(body=LIST), "/nb/a1.html": Response(body=ARTICLE)}
    with ReplicaServer(routes, ssl_context=self_signed) as site:
        yield site


def test_broken_certificate_is_unreachable_with_tls_reason(tls_site: ReplicaServer, fetcher: Fetcher) -> None:
    https = f"https://127.0.0.1:{tls_site.port}/nb/index.html"
    err = _err(fetcher.fetch(https))
    assert err.kind == "unreachable" and err.evidence["tls"] is True and "TLS" in err.detail
    assert err.evidence["attempts"] == 1  # a bad certificate is not retried
    assert len(tls_site.requests) == 0  # nothing was sent in the clear
    plain = fetcher.fetch(tls_site.url("/nb/index.html"))  # http on the same port works
    assert isinstance(plain, FetchResult) and plain.content == LIST
    result = discover(https, fetcher, ["127.0.0.1"])
    assert result.reports == [] and result.errors[0].evidence["tls"] is True


def test_http_fallback_only_when_the_agency_allows_it(tls_site: ReplicaServer, fetcher: Fetcher) -> None:
    https = f"https://127.0.0.1:{tls_site.port}/nb/index.html"
    got = fetcher.fetch(https, http_fallback=True)
    assert isinstance(got, FetchResult) and got.downgraded and got.url == https
    assert got.final_url.startswith("http://")
    result = discover(https, fetcher, ["127.0.0.1"], http_fallback=True)
    assert [r.year for r in result.reports] == [2024] and result.errors == []


def test_an_agency_allowed_http_falls_back_on_every_page_and_file(
    tls_site: ReplicaServer, fetcher: Fetcher
) -> None:
    """The registry's `http_fallback` reaches every request of the agency's crawl, not only
    the column page: the articles and attachments of a broken-certificate site are https too."""
    https = f"https://127.0.0.1:{tls_site.port}/nb/index.html"
    plain = discover(https, fetcher, ["127.0.0.1"], http_fallback=True)  # only the column falls back
    lenient = fetcher.with_http_fallback()
    result = discover(https, lenient, ["127.0.0.1"])
    assert [r.year for r in result.reports] == [2024] and result.errors == []
    assert result.reports[0].article is not None and result.reports[0].article.ok
    fetch_report_document(result.reports[0], lenient, ["127.0.0.1"])
    assert tls_site.requests.for_path("/files/report.pdf")  # the https attachment, asked over http
    assert lenient.with_http_fallback() is lenient and lenient.slots is fetcher.slots
    assert plain.reports  # the list was read either way


# -- SEO clone -----------------------------------------------------------------------------
def test_seo_clone_is_ignored(fetcher: Fetcher) -> None:
    pubs = make_pubs("湛河区", 2, (2024,), first_id=500000)
    routes, want = pds.build("/zhanhe", "湛河区", 12989, pubs, per_page=50)
    with ReplicaServer(routes) as clone:
        clone_article = f"http://localhost:{clone.port}{want[0]['path']}"
        page = routes["/zhanhe/channels/12989.html"]
        assert isinstance(page, Response)
        injected = page.body.replace(
            b"</ul>", f'<li><a href="{clone_article}" title="{want[0]["title"]}">x</a></li></ul>'.encode()
        )
        with ReplicaServer({**routes, "/zhanhe/channels/12989.html": Response(body=injected)}) as real:
            result = discover(real.url("/zhanhe/channels/12989.html"), fetcher, ["127.0.0.1"])
            assert sorted(r.url.removeprefix(real.base_url) for r in result.reports) == sorted(
                w["path"] for w in want
            )
            assert result.errors == []
            on_clone = discover(
                f"http://localhost:{clone.port}/zhanhe/channels/12989.html", fetcher, ["127.0.0.1"]
            )
            assert on_clone.reports == [] and on_clone.errors[0].kind == "not_allowed"
        assert len(clone.requests) == 0


# -- stream without Content-Length ---------------------------------------------------------
def test_stream_without_length_over_cap_is_cut_off() -> None:
    body = PDF + tiny_png() * 4000
    routes = {"/big.pdf": Response(body=body, content_type="application/pdf", stream=True, conditional=False)}
    with ReplicaServer(routes) as site, quick_fetcher(max_bytes=50_000, retries=0) as f:
        err = _err(f.fetch(site.url("/big.pdf")))
        assert err.kind == "too_large"
        assert err.evidence == {"received_more_than": 50_000, "limit": 50_000}  # no declared length
        with quick_fetcher(max_bytes=len(body) + 1, retries=0) as roomy:
            ok = roomy.fetch(site.url("/big.pdf"))
        assert isinstance(ok, FetchResult) and ok.content == body
