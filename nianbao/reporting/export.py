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
from nianbao.reporting.compliance import CATEGORIES, ComplianceRow, FindingLine, category

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
LINK_TEXT = "打开年报"


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


@dataclass
class Drawn:
    """The summary and the charts both files show, made once for the two (a chart costs
    matplotlib a second or more to draw in both its forms)."""

    summary: Summary
    previous: Summary | None
    charts: list
    no_charts: str | None


def draw(
    rows: list[ComplianceRow], findings: list[FindingLine], year: int, previous: list[ComplianceRow] | None
) -> Drawn:
    """This year's summary, last year's when it has rows (for the comparison chart), the charts."""
    summary = report_summary(rows, findings)
    before = report_summary(previous, []) if previous else None
    charts, why = make_charts(summary, before, year)
    return Drawn(summary, before, charts, why)


CHART_DISTRICTS = 30  # bars in the per-district chart; more are unreadable (the tables list them all)


def charted_districts(summary: Summary, limit: int = CHART_DISTRICTS) -> list[str]:
    """The districts the per-district chart shows: all of them up to `limit`, else the `limit`
    with the most agencies not published on time (ties in the run's order), in the run's order."""
    districts = list(summary.by_district)
    if len(districts) <= limit:
        return districts
    behind = {d: sum(n for c, n in summary.by_district[d].items() if c != "按时发布") for d in districts}
    kept = set(sorted(districts, key=lambda d: -behind[d])[:limit])
    return [d for d in districts if d in kept]


def make_charts(summary: Summary, previous: Summary | None, year: int) -> tuple[list, str | None]:
    """(charts, why none) — see nianbao/reporting/charts.py for the font rule."""
    from nianbao.reporting import charts

    if charts.chinese_font() is None:
        return [], "本机缺少中文字体（如 fonts-wqy-microhei），未生成图表；表格内容完整。"
    out = []
    if summary.by_district:
        districts = charted_districts(summary)
        series = {c: [summary.by_district[d][c] for d in districts] for c in CATEGORIES}
        series = {c: v for c, v in series.items() if any(v)}
        title = f"{year}年度各区县年报发布情况"
        if len(districts) < len(summary.by_district):
            title += f"（未按时发布单位最多的{len(districts)}个区县，共{len(summary.by_district)}个）"
        out.append(charts.stacked_bars(title, districts, series))
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
    drawn: Drawn | None = None,
) -> Path:
    """The workbook; `drawn` when the caller made the summary and charts already (`draw`)."""
    drawn = drawn or draw(rows, findings, year, previous)
    summary, charts, why = drawn.summary, drawn.charts, drawn.no_charts
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
    fills = {status: PatternFill("solid", fgColor=color) for status, color in FILLS.items()}
    for district, items in by_district.items():
        ws = wb.create_sheet(title=district[:31])  # Excel caps sheet names at 31 characters
        ws.append([f"{district} {year}年度政府信息公开工作年度报告合规情况（截至{summary.as_of}）"])
        ws.append(list(HEADERS))
        for n, r in enumerate(items, start=3):  # rows counted here: ws.max_row scans every cell
            ws.append(_row(r))
            fill = fills.get(r.status.value)
            if fill:
                ws.cell(row=n, column=2).fill = fill
        _sheet_layout(ws, 2, WIDTHS, len(HEADERS))
    ws = wb.create_sheet(title="问题清单")
    ws.append(list(FINDING_HEADERS))
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, f in enumerate(findings, start=2):
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
        ws.cell(row=n, column=5).alignment = wrap
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
    drawn: Drawn | None = None,
) -> Path:
    """The standalone page; `drawn` as for `write_xlsx`."""
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    drawn = drawn or draw(rows, findings, year, previous)
    by_district: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        by_district[r.district].append(r)
    html = env.get_template("compliance.html.j2").render(
        year=year,
        districts=by_district,
        findings=findings,
        headers=HEADERS[:-1],
        row=lambda r: _row(r)[:-1],
        summary=drawn.summary,
        charts=drawn.charts,
        no_charts=drawn.no_charts,
        rules=sorted({f.rule for f in findings}),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
