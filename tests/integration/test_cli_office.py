"""The commands an office runs first, run as it runs them (a process each): `alerts test`
against a real receiver, `agencies sync` and `agencies list` on a narrow terminal. Output is
tables and sentences: never a Python dict or a dataclass repr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.sink import start_webhook_sink
from flows.server import free_port

REPRS = ("{'", '{"', "MessageResult(", "TestReport(", "Recipient(", "': ")


def _run(env: dict[str, str], *args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        env={**env, "COLUMNS": str(columns)},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def office_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env.update(NIANBAO_DATA_DIR=str(tmp_path / "data"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


@pytest.mark.slow  # a process per command
def test_alerts_test_sends_to_every_channel_and_says_so(office_env, tmp_path: Path) -> None:
    """The first command an office runs to check a channel (it crashed with an ImportError)."""
    dead = free_port()
    with start_webhook_sink() as sink:
        config = tmp_path / "apprise.yml"
        config.write_text(
            "version: 1\nurls:\n"
            f"  - {sink.url}/office:\n      - tag: office\n        name: 湛河区政务公开办\n"
            f"  - json://127.0.0.1:{dead}/broken:\n      - tag: pds-zhanhe\n        name: 湛河区备用通道\n",
            encoding="utf-8",
        )
        env = {**office_env, "NIANBAO_APPRISE_CONFIG": str(config)}
        result = _run(env, "alerts", "test")
        assert result.returncode == 1, result.stdout + result.stderr  # one channel is down: say so
        out = result.stdout
        assert "Traceback" not in result.stderr, result.stderr
        assert "湛河区政务公开办" in out and "已发送" in out
        assert "湛河区备用通道" in out and "发送失败" in out
        assert "共 2 个接收方，1 个发送成功。" in out
        assert not any(r in out for r in REPRS), out
        (message,) = sink.messages
        assert message["title"] == "【测试消息】政务公开监测提醒通道测试（湛河区政务公开办）"
        assert "UTC" not in message["message"] and "年" in message["message"]

        only = _run(env, "alerts", "test", "--tag", "office")
        assert only.returncode == 0 and len(sink.messages) == 2, only.stdout
        missing = _run(env, "alerts", "test", "--tag", "nowhere")
        assert missing.returncode == 1 and "没有标签为“nowhere”的接收方" in missing.stdout


@pytest.mark.slow  # a process per command
def test_alerts_test_without_a_config_is_a_clear_sentence(office_env) -> None:
    result = _run(office_env, "alerts", "test")
    assert result.returncode == 2 and "未配置提醒渠道" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.slow  # a process per command
def test_agencies_sync_and_list_show_full_codes_on_a_narrow_terminal(office_env, tmp_path: Path) -> None:
    import yaml

    from nianbao.cli.demo import demo_registry
    from replicas.sample_portal import SAMPLE_AGENCIES

    registry = tmp_path / "agencies.yaml"
    registry.write_text(
        yaml.safe_dump(demo_registry(SAMPLE_AGENCIES, "http://127.0.0.1:8765"), allow_unicode=True),
        encoding="utf-8",
    )
    env = {**office_env, "NIANBAO_REGISTRY_PATH": str(registry)}
    synced = _run(env, "agencies", "sync")
    assert synced.returncode == 0, synced.stderr
    assert "已同步登记册：4 个区县；新增 7 个单位，更新 0 个，停用 0 个" in synced.stdout
    assert not any(r in synced.stdout for r in REPRS), synced.stdout
    listed = _run(env, "agencies", "list", columns=80)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for a in SAMPLE_AGENCIES:  # a code the office must type is never cut or folded over lines
        assert any(a["code"] in line for line in lines), (a["code"], listed.stdout)
    assert "部门" in listed.stdout and "department" not in listed.stdout
