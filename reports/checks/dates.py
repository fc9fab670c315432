"""Years: the report must speak of its own year consistently, and plan for the next one."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from reports.checks._common import NormText, section_label, sentences
from reports.checks.base import STATUS_CANNOT_ASSESS, CheckContext, Finding, Severity, rule
from reports.model import ParsedReport

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# 「20251月1日」: a year run straight into the month with no 年.
_DATE_TYPO = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{1,2})\s*月\s*\d{1,2}\s*日")
_PERIOD_WORDS = ("统计期", "统计时限", "统计时间", "统计区间")
# In the body only full dates count (「2023年1月1日」), not any year mentioned near 统计.
_FULL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})年\d{1,2}月\d{1,2}日")

# The agency as the subject of a plan sentence: 「我局」「我单位」「区行政审批和政务信息管理局」…
_SUBJECT_END = "局|单位|委员会|委|办公室|办|中心|部门|我们|政府|街道|办事处|镇|乡|处|院|所|站|队|室|厅|会"
_FUTURE = "将|计划|拟|下一步"
_PAST = ("了", "已", "以来")


def _finding(message: str, anchor: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(
        rule="YEAR", severity=Severity.ERROR, message=message, evidence={"anchor": anchor, **evidence}
    )


def _other_years(text: str, year: int) -> list[int]:
    return [int(y) for y in _YEAR.findall(text) if int(y) != year]


@rule(
    "YEAR",
    Severity.ERROR,
    "年度前后核对",
    "标题年份、统计期限和正文所述统计期应与报告年度一致，并检查「20251月1日」之类的日期笔误。",
    order=9,
)
def year_consistent(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """A report whose title, period and body name different years contradicts itself."""
    year = report.year
    if year is None:
        return [
            Finding(
                rule="YEAR",
                severity=Severity.INFO,
                message="未能确定报告年度，无法核验年份是否一致",
                evidence={"anchor": {"part": "year"}},
                status=STATUS_CANNOT_ASSESS,
            )
        ]
    findings: list[Finding] = []
    title = unicodedata.normalize("NFKC", report.title or "")
    title_years = [int(y) for y in _YEAR.findall(title)]
    if title_years and title_years[0] != year:
        findings.append(
            _finding(
                f"标题年份为{title_years[0]}年，与报告年度{year}年不一致：“{report.title}”",
                {"part": "title"},
                title=report.title,
                expected=year,
                actual=title_years[0],
            )
        )
    period = unicodedata.normalize("NFKC", report.period or "")
    wrong = _other_years(period, year)
    if wrong:
        findings.append(
            _finding(
                f"统计期限“{report.period}”中的年份{wrong[0]}与报告年度{year}年不一致",
                {"part": "period"},
                period=report.period,
                expected=year,
                actual=wrong[0],
            )
        )
    for s in sentences(report):
        if not any(w in s.text for w in _PERIOD_WORDS):
            continue
        wrong = [int(y) for y in _FULL_DATE.findall(s.text) if int(y) != year]
        if wrong:
            quote = s.quote()
            findings.append(
                _finding(
                    f"{section_label(s.section)}所述统计期限年份{wrong[0]}与报告年度{year}年不一致：“{quote}”",
                    {"part": "body", "section": s.section, "sentence": quote},
                    section=s.section,
                    offset=s.offset,
                    sentence=quote,
                    expected=year,
                    actual=wrong[0],
                )
            )
    seen: set[str] = set()
    for where, text in (
        ("title", report.title or ""),
        ("period", report.period or ""),
        ("text", report.text),
    ):
        for m in _DATE_TYPO.finditer(unicodedata.normalize("NFKC", text)):
            typo = m.group(0)
            if typo in seen:
                continue
            seen.add(typo)
            findings.append(
                _finding(
                    f"日期“{typo}”缺少“年”字，疑为笔误（应为“{m.group(1)}年{typo[len(m.group(1)) :]}”）",
                    {"part": "typo", "text": typo},
                    where=where,
                    offset=m.start(),
                    sentence=typo,
                    expected=f"{m.group(1)}年{typo[len(m.group(1)) :]}",
                    actual=typo,
                )
            )
    return findings


@rule(
    "YEAR-PLAN",
    Severity.WARNING,
    "改进计划年份",
    "第五部分的改进计划把报告年度本身当作将来（如2024年度报告写「2024年，我局将…」），疑为沿用上年文稿；「2024年以来…取得了」之类的回顾不算。",
    needs=("problems",),
    order=10,
)
def year_plan(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """A plan 'for Y' inside the report on Y is usually last year's text with the year bumped."""
    section = report.sections.get("problems")
    if report.year is None or section is None or not section.text:
        return []
    norm = NormText.of(section.text)
    pattern = re.compile(
        rf"(?<!\d){report.year}年度?,(?:[\u4e00-\u9fff]{{0,14}}?(?:{_SUBJECT_END}))?"
        rf"(?:还|也|仍|要|继续|亦)?(?P<marker>{_FUTURE})"
    )
    findings: list[Finding] = []
    for m in pattern.finditer(norm.text):
        end = norm.text.find("。", m.end())
        rest = norm.text[m.end() : len(norm.text) if end < 0 else end]
        if m.group("marker") == "将" and any(p in rest for p in _PAST):
            continue  # 「将…纳入…，取得了」: 将 as 把, a past account
        start = max(norm.text.rfind("。", 0, m.start()) + 1, 0)
        # quote up to the end of the sentence, or of the lead-in before a list (「…效果：一是」)
        stops = [i for i in (norm.text.find("。", m.end()), norm.text.find(":", m.end())) if i >= 0]
        stop = min(stops) + 1 if stops else len(norm.text)
        quote = norm.quote(start, min(stop, start + 80)) + ("…" if stop > start + 80 else "")
        findings.append(
            Finding(
                rule="YEAR-PLAN",
                severity=Severity.WARNING,
                message=(
                    f"第五部分的改进计划把报告年度{report.year}年本身当作将来来写"
                    f"（{report.year}年度报告的改进措施应针对{report.year + 1}年），疑为沿用上年文稿：“{quote}”"
                ),
                evidence={
                    "anchor": {"section": "problems", "year": report.year, "sentence": quote},
                    "section": "problems",
                    "offset": norm.orig_offset(m.start()),
                    "sentence": quote,
                    "year": report.year,
                    "marker": m.group("marker"),
                    "expected": report.year + 1,
                    "actual": report.year,
                },
            )
        )
    return findings
