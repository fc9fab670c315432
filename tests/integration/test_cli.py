"""The `nianbao` command line on real files, and bad input giving clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.tables import row_id
from nianbao.cli import app
from tests.conftest import seed_path

runner = CliRunner()


def test_check_prints_tables_and_findings_of_a_seed() -> None:
    result = runner.invoke(app, ["check", str(seed_path("zhanhe-yingji-2024.txt"))])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "湛河区应急管理局" in out and "表三" in out and "表四" in out
    assert "TEXT-TABLE" in out and "15" in out
    assert "T3-BALANCE" not in out  # the seed's tables add up


def test_check_says_how_flattened_rows_were_decoded(tmp_path: Path) -> None:
    text = seed_path("jianxi-gongxin-2024.txt").read_text(encoding="utf-8")
    for old, new in {
        "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0": "一、本年新收政府信息公开申请数量110000011",
        "（一）予以公开 0 0 0 0 0 0 0": "（一）予以公开 11 0 0 0 0 0 11",
        "（七）总计 0 0 0 0 0 0 0": "（七）总计 11 0 0 0 0 0 11",
        "1.属于国家秘密 0 0 0 0 0 0 0": "1.属于国家秘密0000000",
        "行政规范性文件 0 0 0": "行政规范性文件58247",
    }.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "flattened.txt"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "连写数字的解码：共3行" in out
    assert "唯一拆分（只有一种拆分满足本行合计）：1行" in out and "「0000000」" in out
    assert "由表格勾稽关系确定" in out and "「110000011」，2种拆分" in out
    assert "留空：1行" in out and "「58247」：连写数字「58247」有6种拆分方式" in out
    assert "T3-BALANCE" not in out


def test_check_json_has_the_documented_shape() -> None:
    result = runner.invoke(app, ["check", "--json", str(seed_path("zhanhe-gongxin-2024.txt"))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {
        "agency",
        "year",
        "title",
        "form",
        "sections",
        "proactive",
        "requests",
        "review_litigation",
        "problems",
        "findings",
    }
    assert data["year"] == 2024 and data["form"] == "F2021"
    assert len(data["requests"]) == 25 and all(len(cols) == 7 for cols in data["requests"].values())
    assert data["proactive"]["licensing"] == {"decisions": 0}
    assert [f["rule"] for f in data["findings"] if f["status"] == "fail"] == ["YEAR-PLAN"]


def test_check_missing_file_is_a_clear_error() -> None:
    result = runner.invoke(app, ["check", "/nonexistent/report.pdf"])
    assert result.exit_code == 2
    assert "文件不存在" in result.output


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n\x00\x01garbage", "<html>文件不存在</html>".encode()])
def test_check_unreadable_file_reports_problems_without_crashing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    result = runner.invoke(app, ["check", "--json", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # the parser's failure is not the report's defect: one 「无法读取」 with the reason (issue 21)
    assert [f["rule"] for f in data["findings"]] == ["UNREADABLE"]
    assert data["findings"][0]["status"] == "cannot_assess" and data["findings"][0]["evidence"]["reason"]
    assert data["problems"]


def test_agencies_sync_with_bad_registry_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "agencies.yaml"
    bad.write_text("jurisdictions: [", encoding="utf-8")
    result = runner.invoke(app, ["agencies", "sync", "--path", str(bad)])
    assert result.exit_code == 2
    assert "不是有效的YAML" in "".join(result.output.split())


def test_rules_lists_every_registered_rule(monkeypatch) -> None:
    from nianbao.cli import common as cli
    from reports.checks import RULES

    monkeypatch.setattr(cli.console, "width", 300)  # one line per rule: cells are not folded

    from reports.checks.monitor_rules import MONITOR_RULES

    result = runner.invoke(app, ["rules"], terminal_width=300)
    assert result.exit_code == 0
    for rule_id in RULES:
        assert rule_id in result.output
    # every kind of alert an office can receive, with when it applies
    for m in MONITOR_RULES:
        assert m.id in result.output and m.title in result.output
    assert "无法核实" in result.output and "2021年度起的报告" in result.output


def test_recrawl_prints_what_the_agency_has_now(sample_setup, prefect_harness) -> None:
    """`nianbao recrawl AGENCY`, run as the office runs it (a process each time): the agency's own
    line (reports, new versions, findings new and corrected), then the matrix; a second recrawl
    finds the same report unchanged; an unknown agency is a clear error."""
    import os

    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "COLUMNS": "200"}
    nianbao = [sys.executable, "-m", "nianbao.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*nianbao, *args], env=env, capture_output=True, text=True, timeout=300)

    first = run("recrawl", "zhanhe-yingji", "--year", "2024")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "湛河区应急管理局：找到年报1份，其中新版本1份、未变化0份；新发现问题" in first.stdout, first.stdout
    assert "已整改0条" in first.stdout and "本次巡检 1 个单位" in first.stdout
    assert "湛河区财政局" not in first.stdout  # only the recrawled agency's row, not the whole matrix
    assert "{" not in first.stdout and "MessageResult" not in first.stdout
    again = run("recrawl", "湛河区应急管理局", "--year", "2024")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "湛河区应急管理局：找到年报1份，其中新版本0份、未变化1份；新发现问题0条" in again.stdout, (
        again.stdout
    )
    unknown = run("recrawl", "no-such-agency")
    assert unknown.returncode == 2 and "未找到单位“no-such-agency”" in unknown.stdout
    typo = run("recrawl", "zhanhe-yinji")
    assert typo.returncode == 2, typo.stdout
    assert "未找到单位“zhanhe-yinji”，您是不是要找：zhanhe-yingji（湛河区应急管理局）" in typo.stdout.replace(
        "\n", ""
    )
    assert "Traceback" not in typo.stdout + typo.stderr


def test_findings_close_and_reopen(tmp_path: Path, monkeypatch) -> None:
    """A person closes a finding with a reason and reopens it; a wrong id is a clear error."""
    from sqlmodel import select

    from models.db import migrate, session_scope
    from models.tables import Agency, Finding, Jurisdiction
    from nianbao.runtime.settings import get_settings

    url = f"sqlite:///{tmp_path / 'nb.db'}"
    monkeypatch.setenv("NIANBAO_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        migrate(url)
        with session_scope(url) as s:
            j = Jurisdiction(code="d", name="某区")
            s.add(j)
            s.flush()
            a = Agency(code="a", name="某区某局", jurisdiction_id=row_id(j))
            s.add(a)
            s.flush()
            s.add(
                Finding(
                    agency_id=row_id(a),
                    year=2024,
                    rule="TEXT-TABLE",
                    severity="warning",
                    message="m",
                    fingerprint="f",
                )
            )
        closed = runner.invoke(app, ["findings", "close", "1", "-m", "单位已书面说明"])
        assert closed.exit_code == 0 and "已关闭" in closed.output, closed.output
        with session_scope(url) as s:
            assert s.exec(select(Finding)).one().state == "closed"
        no_reason = runner.invoke(app, ["findings", "close", "1", "-m", " "])
        assert no_reason.exit_code == 2 and "理由" in no_reason.output
        reopened = runner.invoke(app, ["findings", "reopen", "1", "-m", "说明不成立"])
        assert reopened.exit_code == 0 and "重新打开" in reopened.output
        with session_scope(url) as s:
            assert s.exec(select(Finding)).one().state == "open"
        missing = runner.invoke(app, ["findings", "reopen", "99"])
        assert missing.exit_code == 2 and "#99" in missing.output
    finally:
        get_settings.cache_clear()


def test_the_temporary_prefect_server_gets_a_start_up_budget_for_a_slow_machine() -> None:
    """`nianbao demo` failed on a busy 2-core machine: Prefect's temporary server had not
    answered within its 20 s default. The CLI gives it 120 s unless the user set a value."""
    code = "import os, nianbao.cli; print(os.environ['PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS'])"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}
    default = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert default.stdout.strip() == "120"
    chosen = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "45"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert chosen.stdout.strip() == "45"
