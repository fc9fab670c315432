"""A run over many portals keeps one connection open per portal: the fetcher holds a client
per host, so the second round of requests to 25 portals opens no new connection (a single pool
for all kept 20 idle connections and reconnected to the rest)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fetching import quick_fetcher

HOSTS = [f"127.0.0.{i}" for i in range(2, 27)]  # 25 loopback portals


class _Counting(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: str, counter: list[int], lock: threading.Lock) -> None:
        self.counter, self.lock = counter, lock

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:  # once per TCP connection
                with lock:
                    counter[0] += 1
                super().setup()

            def do_GET(self) -> None:
                body = b"<html><body>ok</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        super().__init__((address, 0), Handler)


def test_a_second_round_over_25_portals_reuses_every_connection() -> None:
    counter, lock = [0], threading.Lock()
    servers = [_Counting(host, counter, lock) for host in HOSTS]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with quick_fetcher() as fetcher:
            urls = [f"http://{host}:{s.server_port}/page" for host, s in zip(HOSTS, servers, strict=True)]
            for url in urls:
                assert getattr(fetcher.fetch(url), "status", None) == 200
            first_round = counter[0]
            for url in urls:
                assert getattr(fetcher.fetch(url), "status", None) == 200
        assert first_round >= len(HOSTS)  # robots.txt and the page may share or not: at least one each
        assert counter[0] == first_round, f"{counter[0] - first_round} new connections in the second round"
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_the_portals_clients_share_one_tls_context() -> None:
    """A TLS context loads every CA certificate (≈50 ms of CPU): the clients of many portal
    hosts share the fetcher's one instead of building their own (two each, before)."""
    with quick_fetcher() as fetcher:
        clients = [fetcher._client_for(f"https://portal{i}.example.cn/") for i in range(5)]
        clients.append(fetcher._client_for("http://plain.example.cn/"))
        contexts = {id(c._transport._pool._ssl_context) for c in clients}  # type: ignore[attr-defined]
        assert len(clients) == len({id(c) for c in clients}) == 6  # a client per host
        assert len(contexts) == 1, contexts
