"""TEXT-TABLE: figures in the prose against the tables, precision before recall."""

from __future__ import annotations

import pytest

from reports.checks.base import CheckContext, Severity
from reports.checks.text_table import text_table
from reports.model import ParsedReport
from tests.checks.factory import set_section, set_t2, set_t3, set_t4

YINGJI = "依据法定职责，我局负责管理 15 项行政许可项目，并在 2024 年内成功办理了 15 项行政许可。"


def _only(report: ParsedReport, ctx: CheckContext, text: str, key: str = "overview"):
    set_section(report, key, text)
    return text_table(report, ctx)


def test_consistent_prose_passes(report: ParsedReport, ctx: CheckContext) -> None:
    assert text_table(report, ctx) == []


def test_licensing_decisions_compared(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "licensing", "decisions", 9)
    (f,) = _only(report, ctx, "二是行政许可事项的公开实施。" + YINGJI)
    assert f.severity == Severity.WARNING
    ev = f.evidence
    assert (ev["stated"], ev["table_value"], ev["difference"]) == (15, 9, 6)
    assert ev["sentence"] == YINGJI
    assert ev["section"] == "overview" and ev["offset"] == len("二是行政许可事项的公开实施。")
    assert ev["cells"][0]["row"] == "licensing" and ev["cells"][0]["column"] == "decisions"
    assert ev["anchor"]["topic"] == "licensing"
    assert "成功办理了 15 项行政许可" in f.message and "9" in f.message and "行政许可" in f.message


def test_licence_types_are_not_decisions(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "licensing", "decisions", 9)
    assert _only(report, ctx, "依据法定职责，我局负责管理 15 项行政许可项目。") == []
    assert _only(report, ctx, "我局共梳理行政许可事项 15 项，并在网站公布清单。") == []


def test_licensing_equal_passes(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "licensing", "decisions", 15)
    assert _only(report, ctx, YINGJI) == []


def test_chinese_numerals(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "licensing", "decisions", 9)
    (f,) = _only(report, ctx, "全年办结十五项行政许可。")
    assert f.evidence["stated"] == 15
    set_t2(report, "licensing", "decisions", 15)
    assert _only(report, ctx, "全年办结十五项行政许可。") == []


@pytest.mark.parametrize(
    "text",
    [
        "2024年，我局收到依申请公开 3 件。",
        "本年度共收到政府信息公开申请3件。",
        "全年新收3件政府信息公开申请。",
    ],
)
def test_requests_received(report: ParsedReport, ctx: CheckContext, text: str) -> None:
    set_t3(report, "new", "total", 5)
    set_t3(report, "carried_over", "total", 1)
    (f,) = _only(report, ctx, text)
    assert f.evidence["topic"] == "requests" and (f.evidence["stated"], f.evidence["table_value"]) == (3, 5)
    assert f.evidence["cells"][0] == {
        "table": 3,
        "row": "new",
        "row_label": "一、本年新收政府信息公开申请数量",
        "column": "total",
        "column_label": "总计",
    }


def test_requests_received_may_include_carried_over(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "new", "total", 5)
    set_t3(report, "carried_over", "total", 1)
    assert _only(report, ctx, "本年度共收到政府信息公开申请6件（含上年结转1件）。") == []
    assert _only(report, ctx, "本年度共收到政府信息公开申请5件。") == []


def test_none_received_vs_nonzero(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "new", "total", 4)
    (f,) = _only(report, ctx, "本年度未收到新的政府信息公开申请。")
    assert (f.evidence["stated"], f.evidence["table_value"]) == (0, 4)
    assert "未收到" in f.message
    set_t3(report, "new", "total", 0)
    assert _only(report, ctx, "本年度未收到新的政府信息公开申请。") == []


def test_none_received_not_confused_with_review(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "new", "total", 4)
    set_t4(report, "review", "total", 0)
    for c in ("upheld", "corrected", "other", "pending"):
        set_t4(report, "review", c, 0)
    assert _only(report, ctx, "未收到因政府信息公开申请引起的行政复议。") == []


def test_penalty_and_coercion(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "penalty", "decisions", 6)
    set_t2(report, "coercion", "decisions", 0)
    findings = _only(report, ctx, "全年作出行政处罚决定8件，实施行政强制措施2次。")
    assert {(f.evidence["topic"], f.evidence["stated"], f.evidence["table_value"]) for f in findings} == {
        ("penalty", 8, 6),
        ("coercion", 2, 0),
    }


def test_review_and_litigation_counts(report: ParsedReport, ctx: CheckContext) -> None:
    findings = _only(report, ctx, "因政府信息公开被申请行政复议3件，被提起行政诉讼1件。")
    got = {(f.evidence["topic"], f.evidence["stated"], f.evidence["table_value"]) for f in findings}
    assert got == {("review", 3, 10), ("litigation", 1, 68)}


def test_review_without_disclosure_context_is_ignored(report: ParsedReport, ctx: CheckContext) -> None:
    """A 司法局 handles many 行政复议 cases unrelated to 政府信息公开; do not compare those."""
    assert _only(report, ctx, "全年办理行政复议案件200件，化解行政争议120起。") == []


def test_no_review_claim_vs_table(report: ParsedReport, ctx: CheckContext) -> None:
    (f,) = _only(report, ctx, "本年度无因政府信息公开申请被申请行政复议的情况。")
    assert (f.evidence["topic"], f.evidence["stated"], f.evidence["table_value"]) == ("review", 0, 10)
    findings = _only(report, ctx, "本年度没有因政府信息公开工作被申请行政复议和提起行政诉讼的情况。")
    assert {f.evidence["topic"] for f in findings} == {"review", "litigation"}


def test_proactive_breakdown(report: ParsedReport, ctx: CheckContext) -> None:
    text = "2024 年，全年主动公开政府信息 3 条，主动公开政府信息的主要类别\n- 1.机构职能类 1 条；\n- 2.财政资金类 2 条。"
    assert _only(report, ctx, text) == []
    (f,) = _only(report, ctx, text.replace("财政资金类 2 条", "财政资金类 3 条"))
    ev = f.evidence
    assert ev["topic"] == "proactive_breakdown"
    assert (ev["stated"], ev["actual"], ev["difference"]) == (3, 4, 1)
    assert ev["items"] == [{"category": "机构职能类", "count": 1}, {"category": "财政资金类", "count": 3}]
    assert "机构职能类1条" in f.message


def test_blank_table_cell_is_not_compared(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "licensing", "decisions", None)
    assert _only(report, ctx, YINGJI) == []


def test_table_rows_in_section_text_are_not_prose(report: ParsedReport, ctx: CheckContext) -> None:
    table_text = "第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t9\n一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0"
    assert _only(report, ctx, table_text, key="proactive") == []
