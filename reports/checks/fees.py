"""The 信息处理费 statement that 国办函〔2020〕109号 requires in section 六."""

from __future__ import annotations

import re
from typing import Any

from reports.checks._common import fmt, t3_ref
from reports.checks.base import CheckContext, Finding, Severity, rule
from reports.model import ParsedReport

# 国办函〔2020〕109号 (信息处理费) applies from 2021-01-01, and the 2021 form asks for the statement.
FEE_RULES_FROM = 2021
FEE_WORDS = re.compile(r"信息处理费|处理费|收费|收取")


@rule(
    "FEE-STATEMENT",
    Severity.WARNING,
    "信息处理费说明",
    "第六部分应说明本年度收取信息处理费的情况；未说明，或表三有“逾期未按收费通知要求缴纳费用”的申请却无任何收费说明时提示。",
    years=(FEE_RULES_FROM, None),
    needs=("other",),
    order=12,
)
def fee_statement(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Section 六 must say what was charged; fee notices in table 三 make it unavoidable."""
    other = report.sections.get("other")
    if other is not None and other.present:
        where, text = "第六部分“其他需要报告的事项”", other.text
    elif report.text:
        where, text = "报告", report.text  # SECTIONS reports the missing section itself
    else:
        return []  # nothing readable at all: SECTIONS and TABLES say so
    if FEE_WORDS.search(re.sub(r"\s+", "", text)):
        return []
    unpaid = report.t3("other_fee_unpaid", "total")
    evidence: dict[str, Any] = {
        "anchor": {"section": "other", "problem": "fee_statement"},
        "section": "other",
        "expected": "说明信息处理费收取情况",
        "actual": "未提及",
    }
    message = f"{where}未说明信息处理费的收取情况"
    if unpaid:
        message += f"，而表三“逾期未按收费通知要求缴纳费用”有{fmt(unpaid)}件，说明本年发出过收费通知"
        evidence["cells"] = [{**t3_ref("other_fee_unpaid", "total"), "value": unpaid}]
    return [Finding(rule="FEE-STATEMENT", severity=Severity.WARNING, message=message, evidence=evidence)]
