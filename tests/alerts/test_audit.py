"""Who received an alert and when (`nianbao alerts show ID`): answered from the delivery rows."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from alerts.audit import delivery_status
from alerts.config import load_config
from alerts.deliver import deliver_pending
from models.db import session_scope
from models.tables import Alert
from nianbao.cli import app
from nianbao.runtime.settings import get_settings

from .conftest import free_port, write_config
from .helpers import seed_alerts, utc

T0 = utc(2025, 2, 5, 9)


def _config(tmp_path: Path, office: str, district: str) -> Path:
    return write_config(
        tmp_path / "apprise.yaml",
        f"urls:\n  - {office}/office:\n      - tag: office\n  - {district}/pds-zhanhe:\n      - tag: pds-zhanhe\n",
    )


def test_received_and_not_received_recipients(db_url: str, sink, tmp_path: Path, monkeypatch) -> None:
    ids = seed_alerts(db_url)
    dead = f"json://127.0.0.1:{free_port()}"  # the district's receiver is down
    cfg_path = _config(tmp_path, sink.url, dead)
    deliver_pending(db_url, cfg_path, now=T0)
    cfg = load_config(cfg_path)
    with session_scope(db_url) as s:
        status = delivery_status(s, s.get_one(Alert, ids["balance"]), cfg)
    assert [(("office" in r.tags), r.sent_at) for r in status] == [(True, T0), (False, None)]
    assert all("127.0.0.1" in r.label for r in status)

    # the office URL is removed from the configuration: its delivery is still shown, by id
    moved = write_config(tmp_path / "other.yaml", f"urls:\n  - {dead}/pds-zhanhe:\n      - tag: pds-zhanhe\n")
    with session_scope(db_url) as s:
        status = delivery_status(s, s.get_one(Alert, ids["balance"]), load_config(moved))
    assert [r.sent_at for r in status] == [None, T0]
    assert "已不在当前配置中" in status[1].label

    monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
    monkeypatch.setenv("NIANBAO_APPRISE_CONFIG", str(cfg_path))
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["alerts", "show", str(ids["balance"])])
        missing = CliRunner().invoke(app, ["alerts", "show", "999"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"#{ids['balance']}" in lines[0] and "状态：待发送" in result.output
    assert any("2025年2月5日 17:00" in ln and "/office" in ln for ln in lines)  # Asia/Shanghai
    assert any("未收到" in ln and "pds-zhanhe" in ln for ln in lines)
    assert "pending" not in result.output and "+00:00" not in result.output
    assert missing.exit_code == 2 and "没有编号为 #999 的告警" in missing.output


def test_without_a_configuration_received_ids_are_listed(db_url: str, sink, tmp_path: Path) -> None:
    ids = seed_alerts(db_url)
    deliver_pending(db_url, _config(tmp_path, sink.url, sink.url), now=T0)
    with session_scope(db_url) as s:
        status = delivery_status(s, s.get_one(Alert, ids["balance"]), None)
    assert len(status) == 2 and all(r.sent_at == T0 and r.label.startswith("（接收方编号") for r in status)
