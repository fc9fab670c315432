"""The compliance matrix as files the office forwards: an XLSX workbook (a summary sheet with the
charts, one sheet per district, one sheet of findings) and a standalone HTML page (summary,
charts as inline SVG, tables with links), both with the 「截至」 time they were made."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XlImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from alerts.localtime import now_text, zh_date
from alerts.rules_zh import date_source_zh
from nianbao.reporting.compliance import ComplianceRow, FindingLine

HEADERS = (
    "单位",
    "状态",
    "截止日期",
    "发布日期",
    "日期来源",
    "错误",
    "警告",
    "提示",
    "门户",
    "问题",
    "年报链接",
)
WIDTHS = (30, 14, 16, 16, 26, 7, 7, 7, 18, 40, 16)
FINDING_HEADERS = ("区县", "单位", "级别", "检查项目", "说明", "状态", "年报链接")
FINDING_WIDTHS = (18, 30, 8, 22, 90, 10, 16)
FILLS = {"missing": "F8CBAD", "late": "FFE699", "on_time": "C6EFCE", "unverifiable": "D9D9D9"}
CATEGORIES = ("按时发布", "逾期发布", "未发布", "无法核实", "未到期")
LINK_TEXT = "打开年报"


def category(r: ComplianceRow) -> str:
    """Which of the summary's five a row is: a portal that could not be read leaves an agency
    「无法核实」 unless a report was already found (its date stands)."""
    if r.status.value == "on_time":
        return "按时发布"
    if r.status.value == "late":
        return "逾期发布"
    if r.could_not_check or r.status.value == "unverifiable":
        return "无法核实"
    if r.status.value == "missing":
        return "未发布"
    return "未到期"


@dataclass
class Summary:
    total: int
    categories: dict[str, int]
    by_district: dict[str, dict[str, int]]
    findings_by_rule: dict[str, int]
    findings_by_severity: dict[str, int]
    agencies_with_errors: int
    as_of: str = field(default_factory=now_text)

    def sentence(self) -> str:
        parts = "，".join(f"{k} {v} 个" for k, v in self.categories.items() if v)
        errors = self.findings_by_severity.get("错误", 0)
        warnings = self.findings_by_severity.get("警告", 0)
        return (
            f"截至{self.as_of}：共 {self.total} 个单位，{parts or '暂无数据'}；"
            f"待整改的问题：错误 {errors} 条、警告 {warnings} 条（涉及 {self.agencies_with_errors} 个单位有错误）"
        )


def report_summary(rows: list[ComplianceRow], findings: list[FindingLine]) -> Summary:
    cats = Counter(category(r) for r in rows)
    by_district: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0))
    for r in rows:
        by_district[r.district][category(r)] += 1
    by_rule = Counter(f.rule_title or f.rule for f in findings)
    return Summary(
        total=len(rows),
        categories={c: cats.get(c, 0) for c in CATEGORIES},
        by_district=dict(by_district),
        findings_by_rule=dict(by_rule.most_common()),
        findings_by_severity=dict(Counter(f.severity_text for f in findings)),
        agencies_with_errors=sum(r.errors > 0 for r in rows),
    )


def _summaries(
    rows: list[ComplianceRow], findings: list[FindingLine], previous: list[ComplianceRow] | None
) -> tuple[Summary, Summary | None]:
    """This year's summary and, when last year has rows, last year's (for the comparison chart)."""
    return report_summary(rows, findings), (report_summary(previous, []) if previous else None)


def make_charts(summary: Summary, previous: Summary | None, year: int) -> tuple[list, str | None]:
    """(charts, why none) — see nianbao/reporting/charts.py for the font rule."""
    from nianbao.reporting import charts

    if charts.chinese_font() is None:
        return [], "本机缺少中文字体（如 fonts-wqy-microhei），未生成图表；表格内容完整。"
    out = []
    if summary.by_district:
        districts = list(summary.by_district)
        series = {c: [summary.by_district[d][c] for d in districts] for c in CATEGORIES}
        series = {c: v for c, v in series.items() if any(v)}
        out.append(charts.stacked_bars(f"{year}年度各区县年报发布情况", districts, series))
    if summary.findings_by_rule:
        labels = list(summary.findings_by_rule)[:12]
        out.append(
            charts.bars(
                f"{year}年度待整改问题（按检查项目）",
                labels,
                [summary.findings_by_rule[k] for k in labels],
                "问题数",
            )
        )
    if previous is not None and previous.total:
        cats = [c for c in CATEGORIES if summary.categories[c] or previous.categories[c]]
        out.append(
            charts.grouped_bars(
                f"{year}年度与{year - 1}年度对比",
                cats,
                {
                    f"{year - 1}年度": [previous.categories[c] for c in cats],
                    f"{year}年度": [summary.categories[c] for c in cats],
                },
            )
        )
    return out, None


def _row(r: ComplianceRow) -> list:
    return [
        r.agency,
        r.status_text,
        zh_date(r.deadline),
        zh_date(r.published_on) if r.published_on else "",
        date_source_zh(r.date_source) if r.published_on else "",
        r.errors,
        r.warnings,
        r.infos,
        r.portal_text,
        "、".join(r.rule_titles),
        r.report_url or "",
    ]


def _sheet_layout(ws: Worksheet, header_row: int, widths: tuple[int, ...], link_col: int) -> None:
    """Widths, bold frozen header, a filter over the table, and the link column as hyperlinks."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(len(widths))
    ws.auto_filter.ref = f"A{header_row}:{last}{max(ws.max_row, header_row)}"
    for row in ws.iter_rows(min_row=header_row + 1, min_col=link_col, max_col=link_col):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                cell.hyperlink = cell.value
                cell.value = LINK_TEXT
                cell.style = "Hyperlink"


def write_xlsx(
    rows: list[ComplianceRow],
    findings: list[FindingLine],
    year: int,
    path: Path,
    previous: list[ComplianceRow] | None = None,
) -> Path:
    summary, before = _summaries(rows, findings, previous)
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet (the stubs allow none, or a chart sheet)
    ws.title = "汇总"
    ws.append([f"{year}年度政府信息公开工作年度报告合规情况"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"截至{summary.as_of}"])
    ws.append([])
    ws.append(["项目", "单位数"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    ws.append(["登记单位", summary.total])
    for name, count in summary.categories.items():
        ws.append([name, count])
    ws.append(["有错误的单位", summary.agencies_with_errors])
    ws.append([])
    ws.append(["检查项目", "待整改问题数"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for name, count in summary.findings_by_rule.items():
        ws.append([name, count])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 14
    charts, why = make_charts(summary, before, year)
    anchor_row = 1
    for chart in charts:
        image = XlImage(io.BytesIO(chart.png))
        ws.add_image(image, f"D{anchor_row}")
        anchor_row += int(image.height / 20) + 2
    if why:
        ws.append([])
        ws.append([why])

    by_district: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        by_district[r.district].append(r)
    for district, items in by_district.items():
        ws = wb.create_sheet(title=district[:31])  # Excel caps sheet names at 31 characters
        ws.append([f"{district} {year}年度政府信息公开工作年度报告合规情况（截至{summary.as_of}）"])
        ws.append(list(HEADERS))
        for r in items:
            ws.append(_row(r))
            fill = FILLS.get(r.status.value)
            if fill:
                ws.cell(row=ws.max_row, column=2).fill = PatternFill("solid", fgColor=fill)
        _sheet_layout(ws, 2, WIDTHS, len(HEADERS))
    ws = wb.create_sheet(title="问题清单")
    ws.append(list(FINDING_HEADERS))
    for f in findings:
        ws.append(
            [
                f.district,
                f.agency,
                f.severity_text,
                f.rule_title,
                f.explanation or f.message,
                f.state_text,
                f.url or "",
            ]
        )
        ws.cell(row=ws.max_row, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    _sheet_layout(ws, 1, FINDING_WIDTHS, len(FINDING_HEADERS))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_html(
    rows: list[ComplianceRow],
    findings: list[FindingLine],
    year: int,
    path: Path,
    previous: list[ComplianceRow] | None = None,
) -> Path:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    summary, before = _summaries(rows, findings, previous)
    charts, why = make_charts(summary, before, year)
    by_district: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        by_district[r.district].append(r)
    html = env.get_template("compliance.html.j2").render(
        year=year,
        districts=by_district,
        findings=findings,
        headers=HEADERS[:-1],
        row=lambda r: _row(r)[:-1],
        summary=summary,
        charts=charts,
        no_charts=why,
        rules=sorted({f.rule for f in findings}),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
