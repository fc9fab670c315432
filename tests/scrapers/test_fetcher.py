"""The fetcher against purpose-built servers on 127.0.0.1: real HTTP, no mocks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from replicas.sample_portal import SamplePortal
from replicas.server import ReplicaServer, Request, Response
from scrapers.fetcher import Fetcher, FetchError, FetchResult
from tests.fetching import quick_fetcher
from tests.request_spacing import spacing_problems

GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>卫东区政府信息公开</title></head><body><p>发布日期：2025-01-24</p></body></html>"
).encode("gbk")
RIVERS_BODY = b'<html><head><meta id="9DhefwqGPrzP" content="xyz"><script>$_ts=window["$_ts"];if(!$_ts)$_ts={};</script></head></html>'
JSL_BODY = b"<script>document.cookie=('_')+('_jsl_clearance_s')+('=')+'1705000000.123|0|abc';location.href=location.pathname</script>"
STUB_BODY = b"<html><script>window.location.href='/?v='+Math.random();</script></html>"


def _flaky() -> object:
    def handler(req: Request) -> Response:
        if req.client_count == 1:
            return Response(503, b"busy")
        return Response(body="<html><body><p>第二次成功</p></body></html>".encode())

    return handler


def _routes() -> dict:
    return {
        "/robots.txt": Response(body=b"User-agent: *\nDisallow: /admin/\n", content_type="text/plain"),
        "/gbk.html": Response(body=GBK_PAGE, content_type="text/html"),
        "/liar.html": Response(body=GBK_PAGE, content_type="text/html; charset=utf-8"),
        "/fake.pdf": Response(
            body="<html><body><h2>文件不存在</h2><p>您要下载的文件不存在或已被删除</p></body></html>".encode(),
        ),
        "/real.pdf": Response(
            body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF",
            content_type="application/octet-stream",
        ),
        "/rivers": Response(
            412,
            RIVERS_BODY,
            headers=(
                ("Set-Cookie", "FSSBBIl1UgzbN7N80S=abc; Path=/"),
                ("Set-Cookie", "FSSBBIl1UgzbN7N80T=def"),
            ),
        ),
        "/jsl": Response(521, JSL_BODY, headers=(("Set-Cookie", "__jsluid_s=0123456789abcdef; path=/"),)),
        "/ccyd": Response(
            418, "<html><title>访问被拦截！</title><body>您的访问被拦截</body></html>".encode()
        ),
        "/wzws": Response(
            302,
            b"",
            headers=(
                ("Location", "/WZWSREL3p4eGdrLw==?wzwschallenge=V1pXU19DT05GSVJN"),
                ("Set-Cookie", "wzws_cid=abc"),
            ),
        ),
        "/geo": Response(403, b"<html><body>403 Forbidden</body></html>"),
        "/stub": Response(200, STUB_BODY),
        "/big.pdf": Response(body=b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf"),
        "/flaky": _flaky(),
        "/busy": Response(503, b"busy"),
        "/admin/secret.html": Response(body=b"<html><body>secret</body></html>"),
        "/to-elsewhere": lambda req: Response(
            302, b"", headers=(("Location", f"http://localhost:{PORT[0]}/gbk.html"),)
        ),
        "/page.html": Response(body="<html><body><p>正文内容</p></body></html>".encode()),
    }


PORT: list[int] = [0]


@pytest.fixture(scope="module")
def site() -> Iterator[ReplicaServer]:
    with ReplicaServer(_routes()) as s:
        PORT[0] = s.port
        yield s


def _err(outcome: FetchResult | FetchError) -> FetchError:
    assert isinstance(outcome, FetchError), outcome
    return outcome


def test_fake_pdf_is_an_error_not_a_report(site: ReplicaServer, fetcher: Fetcher) -> None:
    err = _err(fetcher.fetch(site.url("/fake.pdf")))
    assert err.kind == "fake_file"
    assert "文件不存在" in err.evidence["body_snippet"] and err.evidence["sniffed_kind"] == "html"


def test_real_pdf_sniffed_despite_generic_content_type(site: ReplicaServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(site.url("/real.pdf"))
    assert isinstance(got, FetchResult) and got.sniffed_kind == "pdf"


def test_gbk_page_decoded_from_meta_charset(site: ReplicaServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(site.url("/gbk.html"))
    assert isinstance(got, FetchResult)
    assert "卫东区政府信息公开" in got.text() and got.encoding == "gb18030"


def test_header_charset_that_lies_falls_back(site: ReplicaServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(site.url("/liar.html"))
    assert isinstance(got, FetchResult) and "发布日期：2025-01-24" in got.text()


@pytest.mark.parametrize(
    ("path", "vendor", "evidence_text"),
    [
        ("/rivers", "rivers", "FSSBBIl1UgzbN7N80S"),
        ("/jsl", "jiasule", "__jsluid_s"),
        ("/ccyd", "chuangyudun", "访问被拦截"),
        ("/wzws", "wzws", "wzws_cid"),
        ("/geo", "geo", "403"),
        ("/stub", "js_stub", "window.location"),
    ],
)
def test_anti_bot_pages_are_blocked_with_evidence(
    site: ReplicaServer, fetcher: Fetcher, path: str, vendor: str, evidence_text: str
) -> None:
    err = _err(fetcher.fetch(site.url(path)))
    assert err.kind == "blocked"
    assert err.evidence["vendor"] == vendor
    assert evidence_text in repr(err.evidence)


def test_anti_bot_status_is_not_retried(site: ReplicaServer, fetcher: Fetcher) -> None:
    before = len(site.requests.for_path("/jsl"))
    fetcher.fetch(site.url("/jsl"))
    assert len(site.requests.for_path("/jsl")) == before + 1


def test_transient_5xx_is_retried(site: ReplicaServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(site.url("/flaky"))
    assert isinstance(got, FetchResult) and "第二次成功" in got.text()
    assert [r.status for r in site.requests.for_path("/flaky")] == [503, 200]


def test_persistent_5xx_is_an_http_error_after_retries(site: ReplicaServer, fetcher: Fetcher) -> None:
    err = _err(fetcher.fetch(site.url("/busy")))
    assert err.kind == "http_error" and err.evidence["status"] == 503
    assert len(site.requests.for_path("/busy")) == 2  # 1 try + 1 retry


def test_connection_refused_is_unreachable(fetcher: Fetcher) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    t0 = time.monotonic()
    err = _err(fetcher.fetch(f"http://127.0.0.1:{port}/zfxxgk/index.html"))
    assert err.kind == "unreachable" and time.monotonic() - t0 < 5
    assert "ConnectError" in err.evidence["error"]


def test_unknown_domain_is_unreachable_without_retries(fetcher: Fetcher) -> None:
    t0 = time.monotonic()
    err = _err(fetcher.fetch("https://www.zhanhe.gov.cn/"))
    assert err.kind == "unreachable" and err.evidence["attempts"] == 1
    assert time.monotonic() - t0 < 5


def test_conditional_request_gives_not_modified(portal: SamplePortal, fetcher: Fetcher) -> None:
    path = "/zhanhe/zfxxgk/zfxxgknb/index.shtml"
    first = fetcher.fetch(portal.url(path))
    assert isinstance(first, FetchResult) and first.etag and first.last_modified
    again = fetcher.fetch(portal.url(path), etag=first.etag, last_modified=first.last_modified)
    assert (
        isinstance(again, FetchResult) and again.not_modified and again.status == 304 and again.content == b""
    )
    last = portal.requests.for_path(path)[-1]
    assert last.status == 304 and last.bytes == 0
    assert last.headers["if-none-match"] == first.etag
    by_date = fetcher.fetch(portal.url(path), last_modified=first.last_modified)
    assert isinstance(by_date, FetchResult) and by_date.not_modified
    changed = fetcher.fetch(portal.url(path), etag='"stale"')
    assert isinstance(changed, FetchResult) and not changed.not_modified and changed.content


def test_size_cap(site: ReplicaServer) -> None:
    with quick_fetcher(max_bytes=1000, retries=0) as small:
        err = _err(small.fetch(site.url("/big.pdf")))
    assert err.kind == "too_large" and err.evidence["limit"] == 1000


def test_disallowed_host_is_not_fetched(site: ReplicaServer, fetcher: Fetcher) -> None:
    site.requests.clear()
    err = _err(fetcher.fetch(f"http://localhost:{site.port}/gbk.html", allowed_hosts=["127.0.0.1"]))
    assert err.kind == "not_allowed"
    assert len(site.requests) == 0


def test_redirect_to_disallowed_host_is_not_followed(site: ReplicaServer, fetcher: Fetcher) -> None:
    site.requests.clear()
    err = _err(fetcher.fetch(site.url("/to-elsewhere"), allowed_hosts=["127.0.0.1"]))
    assert err.kind == "not_allowed"
    assert all(r.headers.get("host", "").startswith("127.0.0.1") for r in site.requests)


def test_robots_txt_is_honoured(site: ReplicaServer, fetcher: Fetcher) -> None:
    err = _err(fetcher.fetch(site.url("/admin/secret.html")))
    assert err.kind == "not_allowed" and err.evidence["robots"] is True
    assert site.requests.for_path("/admin/secret.html") == []
    with quick_fetcher(respect_robots=False) as rude:
        assert isinstance(rude.fetch(site.url("/admin/secret.html")), FetchResult)


def test_per_host_delay_spaces_requests_across_threads(site: ReplicaServer) -> None:
    site.requests.clear()
    with quick_fetcher(per_host_delay=0.2, retries=0) as polite:
        polite.fetch(site.url("/page.html"))  # loads robots.txt too, in the same slot
        threads = [threading.Thread(target=polite.fetch, args=(site.url("/page.html"),)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(site.requests.for_path("/page.html")) == 4
    # each request began at least 0.2 s after the previous one was answered (the server's log)
    assert spacing_problems(site.requests, 0.2) == []


def test_without_a_delay_the_same_requests_come_closer(site: ReplicaServer) -> None:
    """The check above can fail: with no delay, the same four requests follow at once."""
    site.requests.clear()
    with quick_fetcher(per_host_delay=0, retries=0) as rude:
        for _ in range(4):
            rude.fetch(site.url("/page.html"))
    assert spacing_problems(site.requests, 0.2) != []


def test_user_agent_is_sent(site: ReplicaServer, fetcher: Fetcher) -> None:
    fetcher.fetch(site.url("/page.html"))
    assert site.requests.for_path("/page.html")[-1].headers["user-agent"].startswith("nianbao-monitor")
