"""A local JSON webhook receiver: what apprise's ``json://`` plugin POSTs lands here.

apprise posts ``{"version": "1.0", "title": ..., "message": ..., "attachments": [], "type":
"info|success|warning|failure"}``. The sink keeps every parsed body in ``.messages`` and, with
``store``, appends it as one JSON line so a person can read what arrived (the demo prints it).
Setting ``.fail_status`` (e.g. 500) makes it refuse messages, to show retries; ``.delay`` makes
it answer late (a slow receiver); ``.answer`` lets a test play a chat service that answers
HTTP 200 with its own error code (WeCom ``{"errcode": 40058}``). The request's
``Idempotency-Key`` header is kept as ``_idempotency_key``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class WebhookSink:
    server: ThreadingHTTPServer
    thread: threading.Thread
    store: Path | None = None
    fail_status: int | None = None  # when set, every POST is answered with it and not recorded
    delay: float = 0.0  # seconds to wait before answering (recorded first: it did arrive)
    # (path, parsed body) -> (status, JSON answer, keep it?); None: 200 {"ok": true}, kept
    answer: Callable[[str, dict[str, Any]], tuple[int, dict[str, Any], bool]] | None = None
    _messages: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        """The apprise URL base; append a path per recipient, e.g. ``sink.url + "/office"``."""
        return f"json://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[dict[str, Any]]:
        """A snapshot of every body received so far, with ``_path`` and ``_received_at`` added."""
        with self._lock:
            return [dict(m) for m in self._messages]

    def messages_for(self, path: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("_path") == path]

    @staticmethod
    def parse(raw: bytes) -> dict[str, Any]:
        try:
            body: dict[str, Any] = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                body = {"_raw": body}
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = {"_raw": raw.decode("utf-8", "replace")}
        return body

    def record(self, path: str, raw: bytes, key: str | None = None) -> None:
        body = self.parse(raw)
        body["_path"] = path
        body["_bytes"] = len(raw)
        if key:
            body["_idempotency_key"] = key
        body["_received_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._messages.append(body)
            if self.store is not None:
                self.store.parent.mkdir(parents=True, exist_ok=True)
                with self.store.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(body, ensure_ascii=False) + "\n")
                    fh.flush()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> WebhookSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(sink_ref: list[WebhookSink]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            sink = sink_ref[0]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if sink.fail_status is not None:
                self.send_response(sink.fail_status)
                self.end_headers()
                self.wfile.write(b'{"error": "sink told to fail"}')
                return
            status, reply, keep = 200, {"ok": True}, True
            if sink.answer is not None:
                status, reply, keep = sink.answer(self.path, sink.parse(raw))
            if keep:
                sink.record(self.path, raw, self.headers.get("Idempotency-Key"))
            if sink.delay:
                time.sleep(sink.delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(reply).encode())

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and demo print what matters
            return

    return Handler


def start_webhook_sink(port: int = 0, store: Path | None = None) -> WebhookSink:
    """Start the receiver on 127.0.0.1:``port`` (0 = a free port) in a daemon thread."""
    ref: list[WebhookSink] = []
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(ref))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="webhook-sink", daemon=True)
    sink = WebhookSink(server=server, thread=thread, store=Path(store) if store else None)
    ref.append(sink)
    thread.start()
    return sink


def read_store(store: Path) -> list[dict[str, Any]]:
    """The JSON lines a sink wrote (for the demo and for tests across processes)."""
    if not store.exists():
        return []
    return [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines() if line.strip()]
