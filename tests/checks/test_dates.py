"""YEAR and YEAR-PLAN."""

from __future__ import annotations

import pytest

from reports.checks.base import STATUS_CANNOT_ASSESS, CheckContext, Severity
from reports.checks.dates import year_consistent, year_plan
from reports.model import ParsedReport
from tests.checks.factory import set_section


def test_year_pass(report: ParsedReport, ctx: CheckContext) -> None:
    assert year_consistent(report, ctx) == []


def test_year_title_mismatch(report: ParsedReport, ctx: CheckContext) -> None:
    report.title = "某区市场监督管理局2023年政府信息公开工作年度报告"
    (f,) = year_consistent(report, ctx)
    assert f.severity == Severity.ERROR and f.evidence["anchor"] == {"part": "title"}
    assert (f.evidence["expected"], f.evidence["actual"]) == (2024, 2023)


def test_year_period_mismatch(report: ParsedReport, ctx: CheckContext) -> None:
    report.period = "2023年1月1日至12月31日"
    (f,) = year_consistent(report, ctx)
    assert f.evidence["anchor"] == {"part": "period"} and "2023" in f.message


def test_year_body_period_mismatch(report: ParsedReport, ctx: CheckContext) -> None:
    set_section(report, "overview", "本年度报告中使用数据统计期限为 2023 年 1 月 1 日至 12 月 31 日。")
    (f,) = year_consistent(report, ctx)
    assert f.evidence["section"] == "overview"
    assert f.evidence["sentence"] == "本年度报告中使用数据统计期限为 2023 年 1 月 1 日至 12 月 31 日。"


def test_year_date_typo(report: ParsedReport, ctx: CheckContext) -> None:
    report.period = "20241月1日至2024年12月31日"
    (f,) = year_consistent(report, ctx)
    assert f.evidence["anchor"] == {"part": "typo", "text": "20241月1日"}
    assert f.evidence["expected"] == "2024年1月1日"
    assert "笔误" in f.message


def test_year_unknown_cannot_be_assessed(report: ParsedReport, ctx: CheckContext) -> None:
    report.year = None
    (f,) = year_consistent(report, ctx)
    assert f.status == STATUS_CANNOT_ASSESS


PLAN_FAIL = [
    "2024年，我局将认真贯彻落实中央、省、市相关文件精神，进一步扩充公开内容。",
    "2024年，我局计划开展两次业务培训。",
    "2024 年，区行政审批和政务信息管理局将进一步完善长效机制。",
    "2024年，拟修订信息公开制度。",
]
PLAN_PASS = [
    "2024年以来，我局政务公开工作虽然取得了一定成效，但仍存在不足。",
    "2025年，我局将认真贯彻落实相关文件精神。",
    "2024年，区行政审批和政务信息管理局信息公开工作虽然取得了一定成效，但尚存在一些不足。下一步，我单位将加强培训。",
    "2024年，我局将政务公开纳入年度考核，取得了较好效果。",
    "2024年我局政府信息公开存在的不足主要有两个方面。",
    "我局制定了2024年工作计划。",
]


@pytest.mark.parametrize("text", PLAN_FAIL)
def test_year_plan_flags_own_year_as_future(report: ParsedReport, ctx: CheckContext, text: str) -> None:
    set_section(report, "problems", "存在问题略。" + text)
    (f,) = year_plan(report, ctx)
    assert f.severity == Severity.WARNING
    assert f.evidence["section"] == "problems" and f.evidence["offset"] == len("存在问题略。")
    assert f.evidence["sentence"].startswith("2024")
    assert "2025年" in f.message and f.evidence["expected"] == 2025


@pytest.mark.parametrize("text", PLAN_PASS)
def test_year_plan_ignores_past_and_next_year(report: ParsedReport, ctx: CheckContext, text: str) -> None:
    set_section(report, "problems", text)
    assert year_plan(report, ctx) == []


def test_year_body_mentions_of_other_years_are_fine(report: ParsedReport, ctx: CheckContext) -> None:
    set_section(
        report, "overview", "与2023年统计时间相比，申请数量有所下降。统计期限为2024年1月1日至12月31日。"
    )
    assert year_consistent(report, ctx) == []
