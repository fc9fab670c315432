"""One polite, defensive HTTP fetcher for government portals, composed of one part per concern:

- `politeness.HostSlots` — one request at a time per host, a delay between them, hosts that
  keep running out of time given up on for a while;
- `retry.RetryPolicy` — which failures are tried again, and after how long;
- `robots.RobotsCache` — robots.txt (Protego), fetched through this fetcher's redirect path;
- `addresses.AddressGuard` + `transport` — only global addresses, resolved once and pinned;
- `budget` — a total deadline and a minimum transfer rate per request;
- `reports.parse.sniff` / `reports.parse.decode` — the parser's sniffer and decoder, so the
  fetcher and the parser never disagree about what a body is.

Why so defensive: the sites block, throttle, trickle, lie about content types and charsets,
and go offline. Every outcome is a value (`FetchResult` or `FetchError`) so a crawl of many
agencies never dies on one bad site, and a "blocked"/"unreachable" site becomes a health
record. Configured by a `FetchConfig` value (the application builds it from its settings).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from reports.parse.decode import Decoded, decode_bytes
from reports.parse.sniff import sniff
from scrapers.addresses import AddressGuard, AddressRefused, Resolver, normalise_host, system_resolver
from scrapers.blocking import detect_block
from scrapers.budget import budget
from scrapers.documents import FILE_KINDS, url_wants_document
from scrapers.identity import DEFAULT_USER_AGENT
from scrapers.politeness import HostSlots, host_key
from scrapers.retry import RetryPolicy
from scrapers.robots import RobotsCache, RobotsVerdict
from scrapers.transport import guarded_client, tls_context

log = logging.getLogger(__name__)

ErrorKind = Literal["unreachable", "blocked", "http_error", "too_large", "not_allowed", "fake_file"]


# A portal is asked one request at a time (the host slots); a few connections cover redirects
# and a robots.txt read alongside, two of them kept open between requests for 30 s (httpx's 5 s
# lapsed between two agencies of one portal; a connection the portal closed meanwhile is seen
# as such on reuse and opened again).
HOST_LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=2, keepalive_expiry=30.0)


# Connection failures and timeouts are worth another try (a 5xx too, below); a certificate
# failure, a refused address or a request that ran out of its budget are not.
FETCH_RETRY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=10.0, transient=(httpx.TransportError,))


@dataclass(frozen=True)
class FetchConfig:
    """Everything the fetcher can be told. `retry.attempts` counts the first try."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 20.0  # one socket operation (read, write)
    connect_timeout: float = 5.0
    deadline: float = 120.0  # one request in all: connect, headers and body
    min_rate: float = 1024.0  # bytes per second over each `rate_window` once bytes flow; 0: off
    rate_window: float = 20.0
    per_host_delay: float = 1.0  # seconds between requests to one host (hosts may have their own)
    max_crawl_delay: float = 10.0  # a robots.txt Crawl-delay is honoured up to this
    max_bytes: int = 50 * 1024 * 1024
    respect_robots: bool = True
    allow_private_hosts: bool = False
    max_redirects: int = 5
    retry: RetryPolicy = field(default_factory=lambda: FETCH_RETRY)
    slow_strikes: int = 2  # requests out of budget before a host is skipped for a while
    slow_cooldown: float = 3600.0
    ca_bundle: str | None = None  # CA certificates to trust instead of the bundled ones

    def with_(self, **changes: Any) -> FetchConfig:
        return replace(self, **changes)


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
    sniffed_kind: str = "empty"
    ok: Literal[True] = field(default=True, init=False)  # Literal: `if got.ok` narrows an Outcome
    downgraded: bool = field(default=False, init=False)  # fetched over http after a TLS failure
    _decoded: Decoded | None = field(default=None, init=False, repr=False, compare=False)

    def _decode(self) -> Decoded:
        if self._decoded is None:
            self._decoded = decode_bytes(self.content, self.content_type)
        return self._decoded

    def text(self) -> str:
        """The body as text (BOM, header or meta charset, utf-8, gb18030: `reports.parse.decode`)."""
        return self._decode().text

    @property
    def encoding(self) -> str:
        return self._decode().encoding


@dataclass
class FetchError:
    kind: ErrorKind
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    ok: Literal[False] = field(default=False, init=False)
    # What the server sent instead of the resource (an error page, a challenge, an HTML page
    # where a file was expected): kept as evidence with the finding, b"" when nothing came.
    content: bytes = field(default=b"", repr=False)


Outcome = FetchResult | FetchError


def host_allowed(url: str, allowed_hosts: list[str] | tuple[str, ...] | None) -> bool:
    """None: anything. Otherwise the host equals an entry or is a subdomain of one (ports and
    a trailing dot ignored)."""
    if allowed_hosts is None:
        return True
    host = normalise_host(urlsplit(url).hostname or "")
    for entry in allowed_hosts:
        e = normalise_host(entry.split(":")[0].lstrip("."))
        if host == e or host.endswith("." + e):
            return True
    return False


class _OutOfBudget(Exception):
    def __init__(self, why: str, evidence: dict[str, Any]) -> None:
        super().__init__(why)
        self.why, self.evidence = why, evidence


class _TooLarge(Exception):
    def __init__(self, evidence: dict[str, Any]) -> None:
        super().__init__("too large")
        self.evidence = evidence


class Fetcher:
    """Thread-safe fetcher composed of the parts above; `resolver` is for tests (names that
    only they know, on loopback)."""

    def __init__(self, config: FetchConfig | None = None, *, resolver: Resolver | None = None) -> None:
        self.config = cfg = config or FetchConfig()
        self.user_agent = cfg.user_agent
        self.retry = cfg.retry
        self.slots = HostSlots(cfg.per_host_delay, cfg.slow_strikes, cfg.slow_cooldown)
        self.guard = AddressGuard(cfg.allow_private_hosts, resolver or system_resolver)
        self.robots = RobotsCache(cfg.user_agent, self._fetch_robots, on_crawl_delay=self._crawl_delay)
        self._verify = tls_context(cfg.ca_bundle)  # one for all the hosts' clients
        self._clients: dict[str, httpx.Client] = {}  # host -> its client (`_client_for`)
        self._clients_lock = threading.Lock()
        self.throttled: dict[str, int] = {}  # host -> empty-200 responses seen (soft blocks)
        self._throttled_lock = threading.Lock()

    def with_http_fallback(self) -> Fetcher:
        """This fetcher (same slots, caches and connections) with `http_fallback` on for every
        request: an agency whose registry entry allows plain http when its certificate fails."""
        return _FallbackFetcher(self)  # type: ignore[return-value]  # a stand-in: fetch() its own, the rest by __getattr__

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        with self._clients_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def _client_for(self, url: str) -> httpx.Client:
        """The client of the URL's host (scheme, name and port), made on first use and kept for
        the fetcher's life: its connection stays open between requests to that portal. One pool
        per host, not one for all: httpcore scans every pooled connection on each request, so a
        shared pool over many portals either drops their connections (a new TCP connection per
        request) or, kept large, costs a scan of all of them per request."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._clients_lock:
            client = self._clients.get(key)
            if client is None:
                cfg = self.config
                client = self._clients[key] = guarded_client(
                    self.guard,
                    timeout=cfg.timeout,
                    connect_timeout=min(cfg.connect_timeout, cfg.timeout),
                    headers={"User-Agent": cfg.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
                    verify=self._verify,
                    limits=HOST_LIMITS,
                )
            return client

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
        A 200 with an empty body (soft throttling) is retried after a growing pause, as often as
        the retry policy says, and counted in `self.throttled`.
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
        pauses = self.retry.with_(factor=4.0)  # soft throttling: back off harder than for errors
        for attempt in range(1, self.retry.attempts + 1):
            outcome = self._fetch_once(url, allowed_hosts, etag, last_modified, expect, referer, data)
            soft = isinstance(outcome, FetchError) and outcome.evidence.get("vendor") == "empty"
            if not soft:
                return outcome
            key = host_key(url)
            with self._throttled_lock:
                self.throttled[key] = self.throttled.get(key, 0) + 1
            assert isinstance(outcome, FetchError)
            outcome.evidence["empty_attempts"] = attempt
            if attempt < self.retry.attempts:
                delay = pauses.delay(attempt)
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
        for _hop in range(self.config.max_redirects + 1):
            if not host_allowed(current, allowed_hosts):
                return FetchError(
                    "not_allowed", f"主机不在允许列表中：{urlsplit(current).hostname}", {"url": current}, url
                )
            if self.config.respect_robots:
                verdict = self.robots.verdict(current)
                if isinstance(verdict, FetchError):
                    verdict.url = url
                    return verdict
                assert isinstance(verdict, RobotsVerdict)
                if not verdict.allowed:
                    return FetchError(
                        "not_allowed",
                        verdict.reason,
                        {"url": current, "robots": True, "robots_status": verdict.status},
                        url,
                    )
            outcome = self._get_with_retries(current, _headers(etag, last_modified, referer), data)
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

    # -- robots.txt ------------------------------------------------------------------------
    def _fetch_robots(self, robots_url: str) -> tuple[int, bytes] | FetchError:
        """robots.txt through the same path as any page (guard, budget, retries), redirects
        followed (RFC 9309: at least five hops) wherever they lead."""
        current = robots_url
        for _hop in range(self.config.max_redirects + 1):
            got = self._get_with_retries(current, {}, None)
            if isinstance(got, FetchError):
                return got
            resp, body = got
            if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
                current = urljoin(current, resp.headers["location"])
                continue
            return resp.status_code, body
        return 404, b""  # too many redirects: RFC 9309 treats it as unavailable

    def _crawl_delay(self, url: str, seconds: float) -> None:
        self.slots.set_crawl_delay(url, min(seconds, self.config.max_crawl_delay))

    # -- one request, with retries -------------------------------------------------------------
    def _get_with_retries(
        self, url: str, headers: dict[str, str], data: Mapping[str, str] | None
    ) -> tuple[httpx.Response, bytes] | FetchError:
        started = time.monotonic()
        last_error = ""
        attempts = self.retry.attempts
        for attempt in range(1, attempts + 1):
            strikes = self.slots.given_up(url)
            if strikes:
                return FetchError(
                    "unreachable",
                    f"站点响应过慢：最近 {strikes} 次请求超出时限，暂停访问该站点",
                    {"slow_host": True, "strikes": strikes, "url": url},
                    url,
                )
            if attempt > 1:
                time.sleep(self.retry.delay(attempt - 1))
            try:
                resp, body = self._one_request(url, headers, data)
            except _TooLarge as exc:
                return FetchError(
                    "too_large", f"文件超过大小上限（{self.config.max_bytes} 字节）", exc.evidence, url
                )
            except AddressRefused as exc:
                evidence = {**exc.evidence, "attempts": attempt}
                return FetchError(exc.kind, exc.detail, evidence, url)
            except _OutOfBudget as exc:
                self.slots.strike(url)
                return FetchError("unreachable", exc.why, {**exc.evidence, "attempts": attempt}, url)
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                if _is_tls_error(exc):
                    return FetchError(
                        "unreachable",
                        "HTTPS 证书或握手校验失败（TLS），未降级为 http",
                        {"error": last_error, "tls": True, "attempts": attempt},
                        url,
                    )
                if not self.retry.is_transient(exc):
                    break
                log.info("transient error on %s (attempt %d): %s", url, attempt, last_error)
                continue
            if resp.status_code >= 500 and resp.status_code not in (512, 521) and attempt < attempts:
                last_error = f"HTTP {resp.status_code}"
                log.info("HTTP %s on %s, retrying", resp.status_code, url)
                continue
            return resp, body
        return FetchError(
            "unreachable",
            "站点无法访问（连接失败或超时）",
            {"error": last_error, "attempts": attempt, "elapsed_s": round(time.monotonic() - started, 3)},
            url,
        )

    def _one_request(
        self, url: str, headers: dict[str, str], data: Mapping[str, str] | None
    ) -> tuple[httpx.Response, bytes]:
        cfg = self.config
        with self.slots.slot(url), budget(cfg.deadline, cfg.min_rate, cfg.rate_window) as spent:
            try:
                method = "POST" if data is not None else "GET"
                with self._client_for(url).stream(method, url, headers=headers, data=data) as resp:
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > cfg.max_bytes:
                        raise _TooLarge({"content_length": int(declared), "limit": cfg.max_bytes})
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > cfg.max_bytes:
                            raise _TooLarge({"received_more_than": cfg.max_bytes, "limit": cfg.max_bytes})
                        chunks.append(chunk)
                    return resp, b"".join(chunks)
            except httpx.TransportError as exc:
                timed_out = isinstance(exc, httpx.TimeoutException) and spent.timed_out()
                if spent.exceeded == "slow" or timed_out:
                    evidence = {
                        "cut_off": spent.exceeded,
                        "deadline_s": cfg.deadline,
                        "min_rate": cfg.min_rate,
                        "elapsed_s": round(spent.elapsed(), 3),
                        "received_bytes": spent.received,
                        "address": spent.peer,
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                    why = (
                        f"站点传输过慢（低于每秒 {cfg.min_rate:g} 字节），已中断"
                        if spent.exceeded == "slow"
                        else f"站点在 {cfg.deadline:g} 秒内未完成响应，已中断"
                    )
                    raise _OutOfBudget(why, evidence) from exc
                raise

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
        kind = sniff(body)
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
        if wants_doc and kind not in FILE_KINDS:
            snippet = decode_bytes(body, ctype).text[:300] if body else ""
            return FetchError(
                "fake_file",
                "附件链接返回的不是文件（可能是「文件不存在」页面）",
                {"status": status, "sniffed_kind": kind, "content_type": ctype, "body_snippet": snippet},
                url,
                content=body,
            )
        return FetchResult(url, final_url, status, ctype, body, etag, last_modified, False, kind)


class _FallbackFetcher:
    """`Fetcher.with_http_fallback`: every `fetch` with `http_fallback=True`, the rest shared."""

    def __init__(self, inner: Fetcher) -> None:
        self._inner = inner

    def fetch(self, url: str, **kwargs: Any) -> Outcome:
        kwargs["http_fallback"] = True
        return self._inner.fetch(url, **kwargs)

    def with_http_fallback(self) -> _FallbackFetcher:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _headers(etag: str | None, last_modified: str | None, referer: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if referer:
        headers["Referer"] = referer
    return headers


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
