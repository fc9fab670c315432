"""The address guard: only globally routable addresses, resolved once and then pinned.

A portal link (or a redirect) to 127.0.0.1, 10.x, 100.64.x (carrier NAT, cloud metadata) or
169.254.x is never a government site; following it would let a hostile page probe the
monitor's own network. Checking a name and then letting the HTTP client resolve it again
leaves a DNS-rebinding window (the second answer may differ), so the guard resolves a name
once, decides on every address it got, and the connection goes to one of those addresses
(`scrapers/transport.py`); the URL keeps the name, so the Host header and TLS SNI are the
site's. The demo and the tests serve on loopback and say so with
NIANBAO_ALLOW_PRIVATE_HOSTS=true (then the decision is skipped, the pinning is not).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Resolver = Callable[[str, int], Sequence[str]]  # (host, port) -> addresses

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_6TO4_RELAY = ipaddress.ip_network("192.88.99.0/24")


class AddressRefused(Exception):
    """The guard's no: `kind` is ``not_allowed`` (an internal address) or ``unreachable``
    (the name does not resolve); `detail` is the Chinese sentence for the record."""

    def __init__(
        self, kind: Literal["not_allowed", "unreachable"], detail: str, evidence: dict | None = None
    ) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.evidence = kind, detail, evidence or {}


@functools.lru_cache(maxsize=4096)
def normalise_host(host: str) -> str:
    """Lowercase, no brackets, no trailing dot (``LocalHost.`` and ``localhost`` are one name),
    internationalised names in their ASCII (punycode) form. Memoised: every request asks it of
    its URL and of each allowed host (an IP literal is parsed to be told from a name)."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host or _literal(host) is not None:
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 form carries (mapped, 6to4, Teredo, NAT64, IPv4-compatible)."""
    found: list[ipaddress.IPv4Address] = []
    if addr.ipv4_mapped is not None:
        found.append(addr.ipv4_mapped)
    if addr.sixtofour is not None:
        found.append(addr.sixtofour)
    if addr.teredo is not None:
        found.extend(addr.teredo)
    if addr in _NAT64 or addr in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return found


def address_refusal(ip: str) -> str | None:
    """Why `ip` may not be connected to (None: a globally routable unicast address)."""
    addr = _literal(ip)
    if addr is None:
        return "不是 IP 地址"
    if addr.is_multicast:
        return "组播地址"
    if not addr.is_global:
        return "内网、本机或保留地址"
    if isinstance(addr, ipaddress.IPv4Address) and addr in _6TO4_RELAY:
        return "6to4 中继地址"
    if isinstance(addr, ipaddress.IPv6Address):
        if addr in _NAT64_LOCAL:
            return "本地 NAT64 地址"
        for inner in _embedded_ipv4(addr):
            why = address_refusal(str(inner))
            if why:
                return f"内嵌 IPv4 地址 {inner}（{why}）"
    return None


def name_refusal(host: str) -> str | None:
    """Names that are internal by definition (RFC 6761), whatever DNS says."""
    host = normalise_host(host)
    if host == "localhost" or host.endswith(".localhost"):
        return "本机名称"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """The system's answer for `host`, in its order, each address once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for info in infos:
        ip = str(info[4][0]).split("%", 1)[0]
        if ip not in seen:
            seen.append(ip)
    return seen


@dataclass
class AddressGuard:
    """Resolve once, decide on every address, hand back the ones to connect to."""

    allow_private: bool = False
    resolver: Resolver = field(default=system_resolver)

    def addresses(self, host: str, port: int) -> list[str]:
        """The checked addresses of `host`, or `AddressRefused`. A name any of whose
        addresses is internal is refused outright (a rebinding answer mixes them)."""
        name = normalise_host(host)
        if not self.allow_private:
            why = name_refusal(name)
            if why:
                raise _internal(host, name, why)
        literal = _literal(name)
        if literal is not None:
            ips = [str(literal)]
        else:
            try:
                ips = list(self.resolver(name, port))
            except (OSError, UnicodeError) as exc:
                raise AddressRefused(
                    "unreachable", f"域名无法解析：{name}", {"host": name, "error": repr(exc)[:300]}
                ) from exc
            if not ips:
                raise AddressRefused("unreachable", f"域名无法解析：{name}", {"host": name})
        if not self.allow_private:
            for ip in ips:
                why = address_refusal(ip)
                if why:
                    raise _internal(host, ip, why)
        return ips


def _internal(host: str, address: str, why: str) -> AddressRefused:
    return AddressRefused(
        "not_allowed",
        f"拒绝访问内网或本机地址：{host}（{why}）",
        {"host": host, "address": address, "reason": why},
    )
