"""One polite, defensive HTTP fetcher for government portals.

Why so defensive: the sites block, throttle, lie about content types and charsets, and go
offline. Every outcome is a value (`FetchResult` or `FetchError`) so a crawl of many agencies
never dies on one bad site, and a "blocked"/"unreachable" site becomes a health record.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from scrapers.addresses import internal_address
from scrapers.blocking import detect_block
from scrapers.sniff import DOCUMENT_KINDS, decode_html, sniff_kind, url_wants_document

log = logging.getLogger(__name__)

ErrorKind = Literal["unreachable", "blocked", "http_error", "too_large", "not_allowed", "fake_file"]
_DNS_MARKERS = ("name or service not known", "nodename nor servname", "no address associated", "getaddrinfo")


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int
    content_type: str | None
    content: bytes = field(repr=False)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    sniffed_kind: str = "unknown"
    ok: bool = field(default=True, init=False)
    downgraded: bool = field(default=False, init=False)  # fetched over http after a TLS failure

    def text(self) -> str:
        """The body decoded as HTML (header, meta, utf-8, gb18030)."""
        return decode_html(self.content, self.content_type)[0]

    @property
    def encoding(self) -> str:
        return decode_html(self.content, self.content_type)[1]


@dataclass
class FetchError:
    kind: ErrorKind
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    ok: bool = field(default=False, init=False)
    # What the server sent instead of the resource (an error page, a challenge, an HTML page
    # where a file was expected): kept as evidence with the finding, b"" when nothing came.
    content: bytes = field(default=b"", repr=False)


Outcome = FetchResult | FetchError


def host_allowed(url: str, allowed_hosts: list[str] | tuple[str, ...] | None) -> bool:
    """None: anything. Otherwise the host equals an entry or is a subdomain of one (ports ignored)."""
    if allowed_hosts is None:
        return True
    host = (urlsplit(url).hostname or "").lower()
    for entry in allowed_hosts:
        e = entry.lower().split(":")[0].lstrip(".")
        if host == e or host.endswith("." + e):
            return True
    return False


@dataclass
class _HostState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = 0.0
    robots: RobotFileParser | None = None
    robots_loaded: bool = False


class Fetcher:
    """Thread-safe fetcher: one lock and one minimum delay per host, retries only on transient errors."""

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        timeout: float | None = None,
        connect_timeout: float = 5.0,
        per_host_delay: float | None = None,
        max_bytes: int | None = None,
        respect_robots: bool | None = None,
        retries: int = 2,
        backoff: float = 0.5,
        max_redirects: int = 5,
        allow_private_hosts: bool | None = None,
    ) -> None:
        from nianbao.settings import get_settings

        s = get_settings()
        self.user_agent = user_agent or s.user_agent
        self.timeout = timeout if timeout is not None else s.request_timeout
        self.connect_timeout = min(connect_timeout, self.timeout)
        self.per_host_delay = s.per_host_delay if per_host_delay is None else per_host_delay
        self.max_bytes = s.max_document_bytes if max_bytes is None else max_bytes
        self.respect_robots = s.respect_robots if respect_robots is None else respect_robots
        self.retries = retries
        self.backoff = backoff
        self.max_redirects = max_redirects
        self.allow_private_hosts = (
            s.allow_private_hosts if allow_private_hosts is None else allow_private_hosts
        )
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
            headers={"User-Agent": self.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            follow_redirects=False,
        )
        self._hosts: dict[str, _HostState] = {}
        self.throttled: dict[str, int] = {}  # host -> empty-200 responses seen (soft blocks)
        self._hosts_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- public API ------------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        allowed_hosts: list[str] | tuple[str, ...] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        expect: Literal["html", "document"] | None = None,
        referer: str | None = None,
        data: Mapping[str, str] | None = None,
        http_fallback: bool = False,
    ) -> Outcome:
        """GET (POST when `data` is given) `url`, following redirects within `allowed_hosts`.

        Never raises for network trouble. A broken certificate is reported as "unreachable" with
        `evidence["tls"]`; only when the agency's config allows it (`http_fallback`) is the same
        URL retried over plain http, and the result then says so (`FetchResult.downgraded`).
        A 200 with an empty body (soft throttling) is retried after a growing pause, at most
        `self.retries` times, and counted in `self.throttled`.
        """
        outcome = self._fetch(url, allowed_hosts, etag, last_modified, expect, referer, data)
        if (
            http_fallback
            and isinstance(outcome, FetchError)
            and outcome.evidence.get("tls")
            and url.startswith("https://")
        ):
            plain = "http://" + url[len("https://") :]
            log.warning("TLS failed for %s; agency allows http, retrying %s", url, plain)
            again = self._fetch(plain, allowed_hosts, etag, last_modified, expect, referer, data)
            if isinstance(again, FetchResult):
                again.url, again.downgraded = url, True
            return again
        return outcome

    def _fetch(
        self,
        url: str,
        allowed_hosts: list[str] | tuple[str, ...] | None,
        etag: str | None,
        last_modified: str | None,
        expect: Literal["html", "document"] | None,
        referer: str | None,
        data: Mapping[str, str] | None,
    ) -> Outcome:
        for pause in range(self.retries + 1):
            outcome = self._fetch_once(url, allowed_hosts, etag, last_modified, expect, referer, data)
            soft = isinstance(outcome, FetchError) and outcome.evidence.get("vendor") == "empty"
            if not soft:
                return outcome
            host = urlsplit(url).netloc.lower()
            with self._hosts_lock:
                self.throttled[host] = self.throttled.get(host, 0) + 1
            assert isinstance(outcome, FetchError)
            outcome.evidence["empty_attempts"] = pause + 1
            if pause < self.retries:
                delay = self.backoff * (4**pause)
                log.warning("empty 200 from %s (soft throttling?); backing off %.2fs", url, delay)
                time.sleep(delay)
        return outcome

    def _fetch_once(
        self,
        url: str,
        allowed_hosts: list[str] | tuple[str, ...] | None,
        etag: str | None,
        last_modified: str | None,
        expect: Literal["html", "document"] | None,
        referer: str | None,
        data: Mapping[str, str] | None,
    ) -> Outcome:
        current = url
        for _hop in range(self.max_redirects + 1):
            if not host_allowed(current, allowed_hosts):
                return FetchError(
                    "not_allowed", f"主机不在允许列表中：{urlsplit(current).hostname}", {"url": current}, url
                )
            internal = (
                None if self.allow_private_hosts else internal_address(urlsplit(current).hostname or "")
            )
            if internal:
                return FetchError(
                    "not_allowed",
                    f"拒绝访问内网或本机地址：{urlsplit(current).hostname}",
                    {"url": current, "address": internal},
                    url,
                )
            if self.respect_robots:
                allowed = self._robots_allow(current)
                if isinstance(allowed, FetchError):
                    allowed.url = url
                    return allowed
                if not allowed:
                    return FetchError(
                        "not_allowed", "robots.txt 禁止抓取该路径", {"url": current, "robots": True}, url
                    )
            outcome = self._get_with_retries(current, etag, last_modified, referer, data=data)
            if isinstance(outcome, FetchError):
                outcome.url = url
                return outcome
            resp, body = outcome
            if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
                block = detect_block(resp.status_code, _set_cookies(resp), body, resp.headers["location"])
                if block:
                    return self._blocked(url, resp, body, block)
                current = urljoin(current, resp.headers["location"])
                data = None  # a redirected POST becomes a GET (302/303 semantics)
                continue
            return self._finish(url, current, resp, body, expect)
        return FetchError("http_error", "重定向次数过多", {"url": current}, url)

    # -- internals -------------------------------------------------------------------------
    def _state(self, url: str) -> _HostState:
        key = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            return self._hosts.setdefault(key, _HostState())

    def _robots_allow(self, url: str) -> bool | FetchError:
        """robots.txt verdict, cached per host; an unreachable host is reported as such."""
        state = self._state(url)
        if not state.robots_loaded:
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = RobotFileParser(robots_url)
            outcome = self._get_with_retries(robots_url, None, None, None)
            if isinstance(outcome, FetchError):
                return outcome  # not cached: the site may come back
            resp, body = outcome
            if resp.status_code == 200 and sniff_kind(body) in ("text", "empty"):
                parser.parse(body.decode("utf-8", errors="ignore").splitlines())
            else:
                parser.parse([])  # missing, blocked or HTML robots.txt: everything allowed
            state.robots, state.robots_loaded = parser, True
        assert state.robots is not None
        return state.robots.can_fetch(self.user_agent, url)

    def _get_with_retries(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        referer: str | None,
        retries: int | None = None,
        data: Mapping[str, str] | None = None,
    ) -> tuple[httpx.Response, bytes] | FetchError:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if referer:
            headers["Referer"] = referer
        attempts = (self.retries if retries is None else retries) + 1
        started = time.monotonic()
        last_error = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                resp, body = self._one_request(url, headers, data)
            except _TooLarge as exc:
                return FetchError(
                    "too_large", f"文件超过大小上限（{self.max_bytes} 字节）", exc.evidence, url
                )
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                if isinstance(exc, httpx.ConnectError) and any(m in str(exc).lower() for m in _DNS_MARKERS):
                    break  # DNS says the name does not exist; retrying will not help
                if _is_tls_error(exc):
                    return FetchError(
                        "unreachable",
                        "HTTPS 证书或握手校验失败（TLS），未降级为 http",
                        {"error": last_error, "tls": True, "attempts": attempt + 1},
                        url,
                    )
                log.info("transient error on %s (attempt %d): %s", url, attempt + 1, last_error)
                continue
            if resp.status_code >= 500 and resp.status_code not in (512, 521) and attempt + 1 < attempts:
                last_error = f"HTTP {resp.status_code}"
                log.info("HTTP %s on %s, retrying", resp.status_code, url)
                continue
            return resp, body
        return FetchError(
            "unreachable",
            "站点无法访问（连接失败或超时）",
            {"error": last_error, "attempts": attempt + 1, "elapsed_s": round(time.monotonic() - started, 3)},
            url,
        )

    def _one_request(
        self, url: str, headers: dict[str, str], data: Mapping[str, str] | None = None
    ) -> tuple[httpx.Response, bytes]:
        state = self._state(url)
        with state.lock:
            wait = state.last + self.per_host_delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                method = "POST" if data is not None else "GET"
                with self._client.stream(method, url, headers=headers, data=data) as resp:
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise _TooLarge({"content_length": int(declared), "limit": self.max_bytes})
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise _TooLarge({"received_more_than": self.max_bytes, "limit": self.max_bytes})
                        chunks.append(chunk)
                    return resp, b"".join(chunks)
            finally:
                state.last = time.monotonic()

    def _blocked(self, url: str, resp: httpx.Response, body: bytes, block: Any) -> FetchError:
        evidence = {
            "vendor": block.vendor,
            "status": resp.status_code,
            "cookies": sorted({c.split("=", 1)[0].strip() for c in _set_cookies(resp)}),
            "location": resp.headers.get("location"),
            "body_snippet": body[:300].decode("utf-8", errors="replace"),
            "final_url": str(resp.url),
        }
        return FetchError("blocked", block.detail, evidence, url, content=body)

    def _finish(
        self, url: str, final_url: str, resp: httpx.Response, body: bytes, expect: str | None
    ) -> FetchResult | FetchError:
        status = resp.status_code
        etag = resp.headers.get("etag")
        last_modified = resp.headers.get("last-modified")
        ctype = resp.headers.get("content-type")
        if status == 304:
            return FetchResult(url, final_url, 304, ctype, b"", etag, last_modified, True, "not_modified")
        wants_doc = expect == "document" or (expect is None and url_wants_document(final_url))
        kind = sniff_kind(body)
        block = detect_block(status, _set_cookies(resp), body, None, expect_html=not wants_doc)
        if block:
            return self._blocked(url, resp, body, block)
        if status >= 400 or status < 200:
            return FetchError(
                "http_error",
                f"HTTP {status}",
                {"status": status, "body_snippet": body[:300].decode("utf-8", errors="replace")},
                url,
                content=body,
            )
        if wants_doc and kind not in DOCUMENT_KINDS:
            snippet = decode_html(body, ctype)[0][:300] if body else ""
            return FetchError(
                "fake_file",
                "附件链接返回的不是文件（可能是「文件不存在」页面）",
                {"status": status, "sniffed_kind": kind, "content_type": ctype, "body_snippet": snippet},
                url,
                content=body,
            )
        return FetchResult(url, final_url, status, ctype, body, etag, last_modified, False, kind)


class _TooLarge(Exception):
    def __init__(self, evidence: dict[str, Any]) -> None:
        super().__init__("too large")
        self.evidence = evidence


def _set_cookies(resp: httpx.Response) -> list[str]:
    return resp.headers.get_list("set-cookie")


def _is_tls_error(exc: Exception) -> bool:
    """Certificate/handshake failures: permanent until the site fixes them, so never retried."""
    text = f"{type(exc).__name__} {exc}".lower()
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return any(m in text for m in ("certificate_verify_failed", "ssl:", "sslerror", "tlsv1 alert"))
