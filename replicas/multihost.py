"""One route table served on many loopback addresses (127.0.0.2 … 127.0.0.N), one port.

Real districts spread their agencies over many portal hosts, and the fetcher (like the
per-host Prefect concurrency limits) is polite per host, so a benchmark that puts every agency
on 127.0.0.1 measures one host's queue, not the orchestration. The whole 127.0.0.0/8 is
loopback on Linux: each address gets its own `ThreadingHTTPServer`, all sharing the routes and
the request log of one `ReplicaServer`-like object (the handler is the same).

`bench_district` builds the Hanweb replica the cycle benchmark crawls: districts of up to 12
agencies, one column per agency holding that agency's report(s), one district per host.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from replicas.server import (
    QuietHTTPServer,
    Request,
    RequestLog,
    Response,
    Route,
    _make_handler,
    shared_routes,
)


class MultiHostReplica:
    """Serve `routes` on `addresses` (all on one port) in daemon threads."""

    def __init__(
        self, routes: Mapping[str, Route], addresses: list[str], port: int = 0, latency: float = 0.0
    ) -> None:
        if not addresses:
            raise ValueError("no address to serve on")
        self.routes = shared_routes(routes)
        self.latency = latency
        self.not_found = Response(404, b"<html><body><h1>404</h1></body></html>")
        self.requests = RequestLog()
        self._servers: list[QuietHTTPServer] = []
        self._threads: list[threading.Thread] = []
        handler = _make_handler(self)
        try:
            for address in addresses:
                httpd = QuietHTTPServer((address, port), handler)
                httpd.daemon_threads = True
                port = int(httpd.server_address[1])  # the first bind picks the port for all
                self._servers.append(httpd)
                thread = threading.Thread(target=httpd.serve_forever, name=f"replica-{address}", daemon=True)
                thread.start()
                self._threads.append(thread)
        except OSError:
            self.stop()
            raise
        self.addresses, self.port = list(addresses), port

    def base_url(self, address: str) -> str:
        return f"http://{address}:{self.port}"

    def respond(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes = b"") -> Response:
        parts = urlsplit(raw_path)
        route = self.routes.get(parts.path, self.not_found)
        if callable(route):
            return route(Request(method, parts.path, parts.query, headers, 0, body))
        return route

    def stop(self) -> None:
        for httpd in self._servers:
            httpd.shutdown()
            httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> MultiHostReplica:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def loopback_addresses(count: int) -> list[str]:
    """127.0.0.2, 127.0.0.3, … (`count` of them; 127.0.0.1 is left to everything else)."""
    if not 1 <= count <= 250:
        raise ValueError("between 1 and 250 hosts")
    return [f"127.0.0.{2 + i}" for i in range(count)]


def bench_district(
    agencies: int, years: tuple[int, ...] = (2024,), per_district: int = 12
) -> tuple[dict[str, Route], list[dict]]:
    """Routes for `agencies` agencies and, per agency, its registry facts.

    District k (``/d{k}``, short name 基准{k}区) holds up to `per_district` agencies, each with
    its own Hanweb column listing its own reports (inline HTML). Returns the merged routes and
    ``[{"district": k, "name": ..., "entry_path": ...}]`` in agency order.
    """
    from replicas.families import hanweb
    from replicas.families.units import make_pubs, unit_name

    routes: dict[str, Route] = {}
    agencies_out: list[dict] = []
    for k in range((agencies + per_district - 1) // per_district):
        units = min(per_district, agencies - k * per_district)
        short = f"基准{k}区"
        pubs = make_pubs(short, units, years, first_id=10_000_000 + k * 100, lookalikes=False, pdf_every=0)
        by_agency: dict[str, list] = {}
        for p in pubs:
            by_agency.setdefault(p.agency, []).append(p)
        columns = [  # column id from the unit's index, so a smaller N gives the same URLs
            hanweb.Column(
                5_000 + i,
                f"{unit_name(short, i)}年报",
                sorted(by_agency[unit_name(short, i)], key=lambda p: p.date, reverse=True),
            )
            for i in range(units)
        ]
        district_routes, _want = hanweb.build(f"/d{k}", short, columns)
        routes.update(district_routes)
        agencies_out.extend(
            {"district": k, "name": c.pubs[0].agency, "entry_path": f"/d{k}/col/col{c.colid}/index.html"}
            for c in columns
        )
    return routes, agencies_out
