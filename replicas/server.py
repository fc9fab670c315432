"""A tiny route-table HTTP server on 127.0.0.1 for replica portals and test fixtures.

Why not a framework: the tests need exact control over status codes, cookies, bodies and
conditional-request handling, plus a log of what the crawler actually asked for.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Response:
    """A canned response. Static responses get an ETag and Last-Modified automatically."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    last_modified: float | None = None  # unix time; None: no Last-Modified header
    conditional: bool = True  # answer If-None-Match / If-Modified-Since with 304
    stream: bool = False  # no Content-Length: body delimited by closing the connection


@dataclass(frozen=True)
class Request:
    """What a handler sees of one request."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    client_count: int  # how many requests this path has seen so far, this one included
    body: bytes = b""  # POST body (form-encoded list requests)

    def form(self) -> dict[str, str]:
        """Query and form fields merged (form wins), as jsp/do endpoints read them."""
        fields = {k: v[-1] for k, v in parse_qs(self.query).items()}
        fields.update({k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()})
        return fields


Handler = Callable[[Request], Response]
Route = Response | Handler


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    bytes: int  # body bytes sent
    # time.monotonic() (one clock for every process of the machine): when the server began
    # handling the request, and when it began answering it (the client has its answer after)
    began: float = 0.0
    answered: float = 0.0


@dataclass
class RequestLog:
    """Thread-safe list of requests; iterate over a snapshot with `list(log)`."""

    _items: list[LoggedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __iter__(self) -> Iterator[LoggedRequest]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def for_path(self, path: str) -> list[LoggedRequest]:
        return [r for r in self if r.path == path]


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class ReplicaServer:
    """Serve `routes` (exact path -> Response or handler) on 127.0.0.1 in a daemon thread."""

    def __init__(
        self,
        routes: Mapping[str, Route],
        port: int = 0,
        not_found: Route | None = None,
        ssl_context: ssl.SSLContext | None = None,
        latency: float = 0.0,
    ) -> None:
        self.routes = shared_routes(routes)
        self.latency = latency  # seconds slept before each answer (models a distant portal)
        self.not_found = not_found or Response(
            404, "<html><body><h1>404</h1><p>您访问的页面不存在</p></body></html>".encode()
        )
        self.requests = RequestLog()
        self._counts: dict[str, int] = {}
        self._counts_lock = threading.Lock()
        server_cls = _DualServer if ssl_context is not None else QuietHTTPServer
        self._httpd = server_cls(("127.0.0.1", port), _make_handler(self))
        if isinstance(self._httpd, _DualServer):
            self._httpd.ssl_context = ssl_context
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replica-server", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplicaServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _count(self, path: str) -> int:
        with self._counts_lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]

    def respond(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes = b"") -> Response:
        parts = urlsplit(raw_path)
        route = self.routes.get(parts.path, self.not_found)
        if callable(route):
            req = Request(method, parts.path, parts.query, headers, self._count(parts.path), body)
            return route(req)
        self._count(parts.path)
        return route


def _not_modified(resp: Response, headers: Mapping[str, str]) -> bool:
    if not resp.conditional or resp.status != 200:
        return False
    inm = headers.get("if-none-match")
    if inm is not None:
        return etag_for(resp.body) in [t.strip() for t in inm.split(",")]
    ims = headers.get("if-modified-since")
    if ims and resp.last_modified is not None:
        try:
            return parsedate_to_datetime(ims).timestamp() >= int(resp.last_modified)
        except (TypeError, ValueError):
            return False
    return False


def shared_routes(routes: Mapping[str, Route]) -> dict[str, Route]:
    """The caller's own dict when it is one (a test may change a route while the server runs)."""
    return routes if isinstance(routes, dict) else dict(routes)


class Served(Protocol):
    """What the request handler asks of its server (ReplicaServer, MultiHostReplica)."""

    latency: float
    requests: RequestLog

    def respond(
        self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> Response: ...


def _make_handler(server: Served) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "nginx"
        sys_version = ""
        # headers and body leave in two writes; with Nagle on, the body waited for the client's
        # delayed ACK (≈14 ms per response measured on loopback), which no real nginx does
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            return

        def _serve(self, send_body: bool) -> None:
            began = time.monotonic()
            headers = {k.lower(): v for k, v in self.headers.items()}
            length = int(headers.get("content-length") or 0)
            posted = self.rfile.read(length) if length else b""
            if server.latency:
                time.sleep(server.latency)
            resp = server.respond(self.command, self.path, headers, posted)
            status, body = resp.status, resp.body
            extra: list[tuple[str, str]] = list(resp.headers)
            if resp.conditional and resp.status == 200:
                extra.append(("ETag", etag_for(resp.body)))
                if resp.last_modified is not None:
                    extra.append(("Last-Modified", formatdate(resp.last_modified, usegmt=True)))
            if _not_modified(resp, headers):
                status, body = 304, b""
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", resp.content_type)
            if resp.stream and status != 304:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
            for name, value in extra:
                self.send_header(name, value)
            sent = len(body) if send_body and status != 304 else 0
            # logged before the body goes out, so a client that has its response sees the entry
            server.requests.append(
                LoggedRequest(self.command, self.path, headers, status, sent, began, time.monotonic())
            )
            self.end_headers()
            if sent:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def do_POST(self) -> None:
            self._serve(send_body=True)

    return _Handler


class QuietHTTPServer(ThreadingHTTPServer):
    """A client hanging up on a kept-alive connection (a crawler process exiting) is normal for a
    portal: not a traceback on stderr. Anything else is still printed."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


class _DualServer(QuietHTTPServer):
    """Speaks TLS and plain HTTP on one port (first byte 0x16 = TLS handshake).

    Lets a test model "HTTPS broken, HTTP fine" on the same host:port, as on real portals.
    """

    ssl_context: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        sock.settimeout(5)
        try:
            first = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            first = b""
        sock.settimeout(None)
        if first == b"\x16" and self.ssl_context is not None:
            try:
                sock = self.ssl_context.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                sock.close()
                raise OSError("TLS handshake failed") from None
        return sock, addr
