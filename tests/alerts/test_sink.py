from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from alerts.sink import read_store, start_webhook_sink


def _post(url: str, body: bytes) -> int:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status


def test_sink_records_json_lines_and_can_fail(tmp_path: Path) -> None:
    store = tmp_path / "out" / "sink.jsonl"
    with start_webhook_sink(store=store) as sink:
        assert sink.url.startswith("json://127.0.0.1:") and sink.port > 0
        msg = {"version": "1.0", "title": "【测试】", "message": "正文", "type": "info", "attachments": []}
        threads = [
            threading.Thread(target=_post, args=(f"{sink.http_url}/office", json.dumps(msg).encode()))
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert _post(f"{sink.http_url}/raw", b"not json") == 200
        sink.fail_status = 500
        with pytest.raises(urllib.error.HTTPError) as err:
            _post(f"{sink.http_url}/office", b"{}")
        assert err.value.code == 500
        assert len(sink.messages) == 9
        assert len(sink.messages_for("/office")) == 8
        assert sink.messages_for("/raw")[0]["_raw"] == "not json"
    lines = read_store(store)
    assert len(lines) == 9 and lines[0]["title"] == "【测试】"
    assert "【测试】" in store.read_text(encoding="utf-8")  # readable, not \\u-escaped
