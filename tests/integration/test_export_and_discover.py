"""`nianbao report` files and `nianbao discover` on the sample portal over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.compliance import ComplianceRow
from nianbao.deadlines import Status
from nianbao.export import FindingLine, write_html, write_xlsx
from replicas.sample_portal import SAMPLE_REPORTS, start_sample_portal

ROWS = [
    ComplianceRow(
        "平顶山市湛河区",
        "a",
        "湛河区财政局",
        Status.LATE,
        "逾期14天",
        "2025-01-31",
        "2025-02-14",
        "meta:PubDate",
        warnings=1,
        rules=["LATE"],
    ),
    ComplianceRow(
        "开封市顺河回族区",
        "b",
        "顺河回族区教育局",
        Status.MISSING,
        "未发布",
        "2025-01-31",
        None,
        None,
        errors=1,
        rules=["MISSING"],
    ),
]
FINDINGS = [
    FindingLine(
        "开封市顺河回族区", "顺河回族区教育局", "error", "MISSING", "截至今日未发现<报告>", "open", None
    )
]


def test_xlsx_has_a_sheet_per_district_and_a_findings_sheet(tmp_path: Path) -> None:
    path = write_xlsx(ROWS, FINDINGS, 2024, tmp_path / "c.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["平顶山市湛河区", "开封市顺河回族区", "问题清单"]
    assert [c.value for c in wb["平顶山市湛河区"][3]][:2] == ["湛河区财政局", "逾期14天"]
    assert wb["问题清单"]["D2"].value == "MISSING"


def test_html_escapes_and_lists_everything(tmp_path: Path) -> None:
    text = write_html(ROWS, FINDINGS, 2024, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "顺河回族区教育局" in text and "逾期14天" in text
    assert "&lt;报告&gt;" in text and "<报告>" not in text


def test_discover_json_on_the_sample_portal() -> None:
    with start_sample_portal() as portal:
        result = CliRunner().invoke(
            app, ["discover", "--json", portal.url("/zhanhe/zfxxgk/zfxxgknb/index.shtml")]
        )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    expected = {r["path"] for r in SAMPLE_REPORTS if r["district_code"] == "zhanhe"}
    assert {f["url"].split(portal.base_url, 1)[1] for f in found} == expected
    assert all(
        {"title", "agency", "year", "url", "published_at", "published_at_source", "attachments", "adapter"}
        <= set(f)
        for f in found
    )


def test_discover_unreachable_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["discover", "http://127.0.0.1:9/nothing/"])
    assert result.exit_code == 2 and "无法读取" in result.output


def test_report_command_writes_both_files(tmp_path: Path, monkeypatch, sqlite_url: str) -> None:
    from nianbao.settings import get_settings

    monkeypatch.setenv("NIANBAO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "--year", "2024"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert load_workbook(tmp_path / "reports" / "compliance-2024.xlsx").sheetnames == ["问题清单"]
    assert "合规情况" in (tmp_path / "reports" / "compliance-2024.html").read_text(encoding="utf-8")
