"""The test client of the Prefect API retries what the server calls retryable (503) and
nothing else: a busy SQLite server once failed CI with a 503 on `create_flow_run`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from tests.e2e.api import api_post


class _Scripted(BaseHTTPRequestHandler):
    statuses: ClassVar[list[int]] = []
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).seen.append(self.path)
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        body = json.dumps({"ok": status == 200}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _Scripted.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    httpd.shutdown()
    httpd.server_close()


def test_a_503_is_retried_until_the_server_answers(server: str) -> None:
    _Scripted.statuses = [503, 503]
    assert api_post(server, "/deployments/x/create_flow_run", {}) == {"ok": True}
    assert len(_Scripted.seen) == 3


def test_other_errors_are_not_retried(server: str) -> None:
    _Scripted.statuses = [500]
    with pytest.raises(httpx.HTTPStatusError):
        api_post(server, "/flow_runs/filter", {})
    assert len(_Scripted.seen) == 1


def test_a_server_that_stays_busy_fails_after_the_bounded_attempts(server: str) -> None:
    _Scripted.statuses = [503] * 10
    with pytest.raises(httpx.HTTPStatusError):
        api_post(server, "/flow_runs/filter", {}, attempts=3)
    assert len(_Scripted.seen) == 3
