"""FEE-STATEMENT, REGULATIONS-LEVEL, OTHER-SHARE."""

from __future__ import annotations

import pytest

from reports.checks.base import CheckContext, Severity
from reports.checks.fees import fee_statement
from reports.checks.plausibility import other_share, regulations_level
from reports.form import outcome_rows
from reports.model import Cell, ParsedReport
from tests.checks.factory import set_section, set_t2, set_t3


@pytest.mark.parametrize(
    "text",
    [
        "本年度没有产生政府信息公开处理费。",
        "2024年度未收取信息处理费",
        "依申请公开收费标准按照国办函〔2020〕109号执行。",
    ],
)
def test_fee_statement_present(report: ParsedReport, ctx: CheckContext, text: str) -> None:
    set_section(report, "other", text)
    assert fee_statement(report, ctx) == []


def test_fee_statement_missing(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "other_fee_unpaid", "total", 0)
    set_section(report, "other", "无其他需要报告的事项。")
    (f,) = fee_statement(report, ctx)
    assert f.severity == Severity.WARNING and f.evidence["section"] == "other"
    assert "信息处理费" in f.message and "收费通知" not in f.message


def test_fee_statement_missing_with_unpaid_fee_notices(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "other_fee_unpaid", "total", 2)
    set_section(report, "other", "无。")
    (f,) = fee_statement(report, ctx)
    assert "收费通知" in f.message and "2件" in f.message
    assert f.evidence["cells"][0]["row"] == "other_fee_unpaid"


@pytest.mark.parametrize("kind", ["department", "town", "street"])
def test_regulations_level_flags_agencies_without_rulemaking(report: ParsedReport, kind: str) -> None:
    for cell in ("issued", "repealed"):
        set_t2(report, "regulations", cell, 0)
    set_t2(report, "regulations", "in_force", 2)
    (f,) = regulations_level(report, CheckContext(agency_kind=kind))
    assert f.severity == Severity.WARNING
    assert f.evidence["actual"] == {"in_force": 2}
    assert "规章" in f.message and "现行有效件数2" in f.message


def test_regulations_level_names_a_county_government_as_such(report: ParsedReport) -> None:
    """A 区县人民政府 has no 规章制定权 either (only provinces and 设区的市 do); which agencies the
    rule judges at all is its declared level (tests/checks/test_numerals_and_scope.py)."""
    (f,) = regulations_level(report, CheckContext(agency_kind="government", agency_level="county"))
    assert f.message.startswith("区县人民政府没有规章制定权")


def test_regulations_level_zero_passes(report: ParsedReport) -> None:
    for cell in ("issued", "repealed", "in_force"):
        set_t2(report, "regulations", cell, 0)
    assert regulations_level(report, CheckContext(agency_kind="department")) == []


def _outcomes(report: ParsedReport, values: dict[str, int]) -> ParsedReport:
    """Put the given totals into the 总计 column (others 0), keeping the column sum right."""
    for row in outcome_rows(report.form):
        set_t3(report, row, "total", values.get(row, 0))
    set_t3(report, "outcome_total", "total", sum(values.values()))
    return report


def test_other_share_high(report: ParsedReport, ctx: CheckContext) -> None:
    _outcomes(report, {"granted": 6, "other_misc": 3, "other_no_correction": 1})
    (f,) = other_share(report, ctx)
    assert f.severity == Severity.INFO
    assert (f.evidence["other"], f.evidence["outcome_total"], f.evidence["share"]) == (4, 10, 0.4)
    assert "40%" in f.message


def test_other_share_within_threshold_or_too_few(report: ParsedReport, ctx: CheckContext) -> None:
    _outcomes(report, {"granted": 7, "other_misc": 3})
    assert other_share(report, ctx) == []  # exactly 30%
    _outcomes(report, {"granted": 4, "other_misc": 5})
    assert other_share(report, ctx) == []  # 9 outcomes: too few to judge


def test_other_share_blank(report: ParsedReport, ctx: CheckContext) -> None:
    _outcomes(report, {"granted": 5, "other_misc": 5})
    set_t3(report, "other_fee_unpaid", "total", None)
    assert other_share(report, ctx) == []


def test_regulations_level_with_f2019_cells(report: ParsedReport) -> None:
    report.proactive["regulations"] = {
        "made": Cell(value=0),
        "published": Cell(value=1),
        "public_total": Cell(value=0),
    }
    (f,) = regulations_level(report, CheckContext(agency_kind="town"))
    assert f.evidence["actual"] == {"published": 1}
    assert "本年新公开数量1" in f.message
