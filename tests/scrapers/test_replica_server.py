"""The replica portals behave like real ones towards clients that hang up."""

from __future__ import annotations

import socket
import struct
import time

import pytest

from replicas.multihost import MultiHostReplica
from replicas.server import ReplicaServer, Response


def _hang_up(host: str, port: int) -> None:
    """Open a connection, start a request and reset it (what a crawler process does on exit)."""
    sock = socket.create_connection((host, port))
    sock.sendall(b"GET /p.html HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.3)  # the server's handler is now waiting for the rest of the request
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
    sock.close()
    time.sleep(0.3)


def test_a_client_resetting_its_connection_prints_no_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    routes = {"/p.html": Response(body=b"<html><body>ok</body></html>")}
    with ReplicaServer(routes) as site:
        host, port = site.url("/").split("//")[1].split("/")[0].split(":")
        _hang_up(host, int(port))
    with MultiHostReplica(routes, ["127.0.0.2"]) as portal:
        _hang_up("127.0.0.2", portal.port)
    err = capfd.readouterr().err
    assert "ConnectionResetError" not in err and "Traceback" not in err, err
