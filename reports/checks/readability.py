"""Whether the checks may judge a parsed document at all.

A parser that could not read a document must not make the report look defective: six
「未找到…部分」 errors on a scan, or a challenge page parsed as the report, are the monitor's
failure, not the agency's. A document the parser got nothing from becomes one 「无法读取」
finding (UNREADABLE) instead of the checks' findings, and earlier findings stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.checks.base import STATUS_CANNOT_ASSESS, Finding, Severity
from reports.checks.monitor_rules import UNREADABLE
from reports.model import ParsedReport

UNREADABLE_PREFIX = "不可机读"  # the parser's own prefix for a document it could not machine-read


@dataclass(frozen=True)
class Readability:
    readable: bool
    not_a_report: bool = False  # none of a report's markers: no title, no section heading, no table
    reason: str = ""  # Chinese, why it could not be read


def _figures_read(report: ParsedReport) -> bool:
    """A table with at least one figure: a "table" of blank cells and no section heading around
    it is no evidence the parser read anything (a page date taken for table 四, say)."""
    tables = {
        "proactive": report.proactive,
        "requests": report.requests,
        "review_litigation": report.review_litigation,
    }
    return any(
        report.tables_found.get(key)
        and any(c.value is not None for row in cells.values() for c in row.values())
        for key, cells in tables.items()
    )


def readability(report: ParsedReport) -> Readability:
    """Readable when the parser found a section heading or a table's figures; otherwise why not."""
    sections = any(s.present for s in report.sections.values())
    if sections or _figures_read(report):
        return Readability(True)
    document_problems = [p.reason for p in report.problems if p.where == "document"]
    pictured = (
        report.images_only
        or report.input_kind in ("image", "ocr")
        or any(r.startswith(UNREADABLE_PREFIX) for r in document_problems)
    )
    if pictured:  # a scan or photo OCR could not read: an image, not "not a report"
        return Readability(False, reason="；".join(document_problems) or "报告为图片或扫描件，未能识别其内容")
    if not report.title:
        reason = "该文件不是年度报告：未找到报告标题、章节标题或统计表"
        if document_problems:
            reason += "（" + "；".join(document_problems) + "）"
        return Readability(False, not_a_report=True, reason=reason)
    reason = "；".join(document_problems) or "找到了报告标题，但未能读取报告的章节和统计表"
    return Readability(False, reason=reason)


def unreadable_finding(reason: str, *, url: str, detail: dict | None = None) -> Finding:
    """The one finding an unreadable version gets: what could not be read and why; the raw
    bytes are kept by the caller (`detail` says where)."""
    return Finding(
        rule=UNREADABLE,
        severity=Severity.INFO,
        message=f"无法读取该报告，内容未经检查：{reason}。原始文件已保存，请人工查看。",
        evidence={"anchor": {"problem": "unreadable"}, "reason": reason, "url": url, **(detail or {})},
        status=STATUS_CANNOT_ASSESS,
    )
