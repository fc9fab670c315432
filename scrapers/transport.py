"""The HTTP client under the fetcher: connections go only to addresses the guard checked,
and every socket operation lives within the request's budget.

httpcore lets a client bring its own network backend; ours resolves through the
`AddressGuard` (once per connection, deciding on every address) and connects to a checked
address itself, so the client never resolves the name again. The URL keeps the name: the
Host header, TLS SNI and certificate check are the site's, and the connection pool keys
connections by name, so two sites on one address never share a TLS session.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from scrapers.addresses import AddressGuard
from scrapers.budget import BudgetedStream, current


class GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        self._tcp = httpcore.SyncBackend()  # connects to an address it is given, resolving nothing

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.guard.addresses(host, port)  # raises AddressRefused
        spent = current()
        last: httpcore.ConnectError | None = None
        for ip in addresses:
            try:
                stream = self._tcp.connect_tcp(
                    ip, port, spent.clamp(timeout) if spent else timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # refused or unroutable: the next address
                last = exc
                continue
            if spent is not None:
                spent.peer = ip
            return BudgetedStream(stream)
        raise httpcore.ConnectError(f"{last} ({', '.join(addresses)})")

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the fetcher")

    def sleep(self, seconds: float) -> None:
        self._tcp.sleep(seconds)


@functools.cache
def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The process's TLS context for a CA bundle (None: httpx's, i.e. certifi's). Building one
    loads every CA certificate (≈50 ms of CPU), and the fetcher has a client per portal host:
    they share one context instead of building two each."""
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else httpx.create_ssl_context()


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with the pool built over `GuardedBackend` (same settings otherwise)."""

    def __init__(self, guard: AddressGuard, limits: httpx.Limits | None = None, verify: Any = True) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        super().__init__(verify=context, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(guard),
        )


def guarded_client(
    guard: AddressGuard,
    *,
    timeout: float,
    connect_timeout: float,
    headers: dict[str, str],
    verify: Any = True,
    limits: httpx.Limits | None = None,
) -> httpx.Client:
    """A client that follows no redirects itself (the fetcher checks every hop) and uses no
    proxy from the environment (a proxy would connect where the guard cannot see)."""
    return httpx.Client(
        transport=PinnedTransport(guard, limits=limits, verify=verify),
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        headers=headers,
        follow_redirects=False,
        trust_env=False,
    )
