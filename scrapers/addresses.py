"""Refuse loopback, private and link-local targets unless explicitly allowed.

A portal link (or a redirect) to 127.0.0.1, 10.x or 169.254.x is never a government site;
following it would let a hostile page probe the monitor's own network. The demo and the
tests serve on loopback and say so with NIANBAO_ALLOW_PRIVATE_HOSTS=true.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache


def _is_internal(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    return (
        addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_unspecified
    )


@lru_cache(maxsize=4096)
def internal_address(host: str) -> str | None:
    """The internal address `host` names or resolves to, else None (unresolvable hosts are left to the fetch)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        return host if _is_internal(host) else None
    except ValueError:
        pass  # a name, not an IP literal
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return None
    for info in infos:
        ip = str(info[4][0])
        if _is_internal(ip):
            return ip
    return None
