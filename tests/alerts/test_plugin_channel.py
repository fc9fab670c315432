"""A channel apprise lacks, added by the office as an apprise custom plugin (`nianbao:
plugin_paths:` in the alert config): the alerts reach it like any other recipient."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerts.config import ConfigError, load_config
from alerts.deliver import deliver_pending

from .conftest import write_config
from .helpers import seed_alerts, states, utc

PLUGIN = '''
import json, os
from apprise.decorators import notify

@notify(on="nbfile", name="年报测试通道")
def to_file(body, title="", notify_type="info", meta=None, **kwargs):
    """Append each message as a JSON line to the file the URL names."""
    with open(os.environ["NB_PLUGIN_OUT"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"title": title, "body": body}, ensure_ascii=False) + "\\n")
    return True
'''


def _config(tmp_path: Path, plugins: str) -> Path:
    return write_config(
        tmp_path / "apprise.yaml",
        f"""nianbao:
  plugin_paths: {plugins}
urls:
  - nbfile://office:
      - tag: office
        name: 内网办公系统
""",
    )


def test_alerts_reach_a_plugin_channel(db_url, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "nbfile.py").write_text(PLUGIN, encoding="utf-8")
    out = tmp_path / "received.jsonl"
    monkeypatch.setenv("NB_PLUGIN_OUT", str(out))
    ids = seed_alerts(db_url)
    report = deliver_pending(db_url, _config(tmp_path, "[plugins]"), now=utc(2025, 2, 5, 9))
    assert report.ok and sorted(report.sent) == sorted(ids.values())
    received = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert received and "内网办公系统" in received[0]["title"]
    assert all(a.state == "sent" for a in states(db_url).values())


def test_a_missing_plugin_path_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"plugin_paths not found: .*nowhere"):
        load_config(_config(tmp_path, "[nowhere]"))
