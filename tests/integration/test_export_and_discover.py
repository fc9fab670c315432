"""`nianbao report` files and `nianbao discover` on the sample portal over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.deadlines.calendar import Status
from nianbao.reporting.compliance import ComplianceRow, FindingLine
from nianbao.reporting.export import write_html, write_xlsx
from replicas.sample_portal import SAMPLE_REPORTS, start_sample_portal
from tests.known import known

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
        report_url="http://www.zhanhe.gov.cn/ndbg/2025/0214/1.html",
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
        "开封市顺河回族区",
        "顺河回族区教育局",
        "error",
        "MISSING",
        "截至今日未发现<报告>",
        "open",
        None,
        rule_title="未按期发布年报",
        explanation="截至今日未发现<报告>",
    ),
    FindingLine(
        "平顶山市湛河区",
        "湛河区财政局",
        "warning",
        "LATE",
        "逾期发布",
        "open",
        "http://www.zhanhe.gov.cn/ndbg/2025/0214/1.html",
        rule_title="逾期发布年报",
        explanation="2024年度报告于2025年2月14日发布，晚于法定期限14天",
    ),
]


def test_xlsx_summary_sheet_districts_and_findings_as_an_office_uses_them(tmp_path: Path) -> None:
    path = write_xlsx(ROWS, FINDINGS, 2024, tmp_path / "c.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "平顶山市湛河区", "开封市顺河回族区", "问题清单", "图表数据"]
    summary = wb["汇总"]
    assert str(summary["A2"].value).startswith("截至") and "+00:00" not in str(summary["A2"].value)
    figures = {r[0].value: r[1].value for r in summary.iter_rows(min_row=5) if r[0].value}
    assert figures["登记单位"] == 2 and figures["逾期发布"] == 1 and figures["未发布"] == 1
    assert figures["无法核实"] == 0
    charts = summary._charts  # type: ignore[attr-defined]  # openpyxl: private, not in its stubs
    assert len(charts) == 2, "per district and per check, as native charts on the summary sheet"
    data = list(wb["图表数据"].iter_rows(values_only=True))
    assert data[0][0] == "2024年度各区县年报发布情况" and data[1] == (None, "逾期发布", "未发布")
    assert data[2] == ("平顶山市湛河区", 1, 0) and data[3] == ("开封市顺河回族区", 0, 1)
    assert ("逾期发布年报", 1) in [r[:2] for r in data]  # the findings chart's figures
    ws = wb["平顶山市湛河区"]
    assert [c.value for c in ws[3]][:5] == [
        "湛河区财政局",
        "逾期14天",
        "2025年1月31日",
        "2025年2月14日",
        "页面元数据标注的发布时间",
    ]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["A"].width >= 20 and ws.column_dimensions["J"].width >= 20
    link = ws.cell(row=3, column=11)
    assert (
        link.value == "打开年报"
        and known(link.hyperlink).target == "http://www.zhanhe.gov.cn/ndbg/2025/0214/1.html"
    )
    findings = wb["问题清单"]
    assert [c.value for c in findings[1]] == ["区县", "单位", "级别", "检查项目", "说明", "状态", "年报链接"]
    assert [c.value for c in findings[2]][:4] == [
        "开封市顺河回族区",
        "顺河回族区教育局",
        "错误",
        "未按期发布年报",
    ]
    assert findings["F2"].value == "待整改" and findings.freeze_panes == "A2" and findings.auto_filter.ref
    assert findings["G3"].hyperlink.target.startswith("http://www.zhanhe.gov.cn/")
    words = " ".join(str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value)
    for internal in ("meta:PubDate", "error", "warning", "open", "MISSING", "LATE", "not_crawled"):
        assert internal not in words, internal


def test_html_has_summary_charts_time_and_links_and_escapes(tmp_path: Path) -> None:
    text = write_html(ROWS, FINDINGS, 2024, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "顺河回族区教育局" in text and "逾期14天" in text
    assert "&lt;报告&gt;" in text and "<报告>" not in text
    assert "截至" in text and "概况" in text and text.count("<svg") == 2
    assert '<a href="http://www.zhanhe.gov.cn/ndbg/2025/0214/1.html">' in text
    district_chart = text.split("<h2>图表</h2>")[1].split("</figure>")[0]
    assert ">平顶山市湛河区</text>" in district_chart and ">逾期发布</text>" in district_chart  # words, in the reader's font
    body = text.split("<body>", 1)[1]
    for internal in ("meta:PubDate", ">error<", ">open<", ">MISSING<"):
        assert internal not in body, internal


@pytest.mark.slow  # a process crawling the sample portal
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
    from nianbao.runtime.settings import get_settings

    monkeypatch.setenv("NIANBAO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "--year", "2024"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert load_workbook(tmp_path / "reports" / "compliance-2024.xlsx").sheetnames == ["汇总", "问题清单"]
    assert "截至" in result.output and "已写入" in result.output
    assert "合规情况" in (tmp_path / "reports" / "compliance-2024.html").read_text(encoding="utf-8")


def test_the_summary_never_says_unpublished_without_having_looked() -> None:
    """「未发布」 only for an agency whose columns were read; one never read, unreachable or not read
    in full is 「无法核实」; a report already found keeps its date whatever the portal does now."""
    from nianbao.reporting.compliance import category

    def row(status: Status, portal: str) -> ComplianceRow:
        return ComplianceRow("区", "c", "单位", status, "", "2025-01-31", None, None, portal=portal)

    cases = {
        (Status.ON_TIME, "unreachable"): "按时发布",
        (Status.LATE, "blocked"): "逾期发布",
        (Status.MISSING, "ok"): "未发布",
        (Status.MISSING, "unreachable"): "无法核实",
        (Status.MISSING, "not_crawled"): "无法核实",
        (Status.UNVERIFIABLE, "ok"): "无法核实",
        (Status.PENDING, "ok"): "未到期",
    }
    assert {k: category(row(*k)) for k in cases} == cases
