"""Servers that misbehave on purpose, on loopback: they trickle, stall or never answer.

`replicas.server.ReplicaServer` answers well-formed HTTP; the fetcher's time budget is about
servers that do not, so these speak raw TCP: each connection gets the request read and then
a behaviour that writes whatever bytes it wants, as slowly as it wants. Each server records
the local address every connection arrived at (a test binds more than one loopback address
to see where the fetcher connected).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

Behaviour = Callable[[socket.socket, bytes, threading.Event], None]  # (connection, request head, stop)


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _response_head(status: str = "200 OK", length: int | None = None, ctype: str = "text/html") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _drip(conn: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    for i in range(len(data)):
        if stop.wait(every):
            return
        conn.sendall(data[i : i + 1])


def trickle_body(every: float = 0.5, size: int = 100_000) -> Behaviour:
    """Headers at once (a Content-Length of `size`), then one body byte every `every` s."""

    def behave(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        conn.sendall(_response_head(length=size))
        _drip(conn, b"<html><body>" + b"x" * size, every, stop)

    return behave


def trickle_headers(every: float = 0.5) -> Behaviour:
    """The status line and headers one byte every `every` s, never ending."""

    def behave(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        endless = b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"a" * 1_000_000
        _drip(conn, endless, every, stop)

    return behave


def never_answer() -> Behaviour:
    """Read the request, then say nothing until the client gives up."""

    def behave(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        stop.wait(3600)

    return behave


def answer(body: bytes, ctype: str = "text/html; charset=utf-8") -> Behaviour:
    """A normal, complete answer (and the connection closed after it)."""

    def behave(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        conn.sendall(_response_head(length=len(body), ctype=ctype) + body)

    return behave


class HostileServer:
    """Serve `behaviour` (or `routes[path]`, falling back to it) on `host`:`port`."""

    def __init__(
        self,
        behaviour: Behaviour,
        *,
        routes: dict[str, Behaviour] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.behaviour, self.routes = behaviour, routes or {}
        self.arrivals: list[str] = []  # local address of each connection
        self.paths: list[str] = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, name="hostile-server", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.arrivals.append(conn.getsockname()[0])
                head = _read_head(conn)
                path = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else ""
                self.paths.append(path.split("?", 1)[0])
                behave = self.routes.get(path.split("?", 1)[0], self.behaviour)
                behave(conn, head, self._stop)
            except OSError:
                pass  # the client hung up: what a cut-off looks like from here

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
