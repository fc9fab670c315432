"""The compliance matrix as files the office forwards: an XLSX workbook (a summary sheet with the
charts, one sheet per district, one sheet of findings) and a standalone HTML page (summary,
charts as inline SVG, tables with links), both with the 「截至」 time they were made."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from jinja2 import Environment, FileSystemLoader, select_autoescape
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from alerts.localtime import now_text, zh_date
from alerts.rules_zh import date_source_zh
from nianbao.reporting import charts
from nianbao.reporting.charts import Chart
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
CHART_DATA_SHEET = "图表数据"
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
    """The summary and the charts both files show, made once for the two."""

    summary: Summary
    previous: Summary | None
    charts: list[Chart]


def draw(
    rows: list[ComplianceRow], findings: list[FindingLine], year: int, previous: list[ComplianceRow] | None
) -> Drawn:
    """This year's summary, last year's when it has rows (for the comparison chart), the charts."""
    summary = report_summary(rows, findings)
    before = report_summary(previous, []) if previous else None
    return Drawn(summary, before, make_charts(summary, before, year))


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


def make_charts(summary: Summary, previous: Summary | None, year: int) -> list[Chart]:
    """Per district (when there are districts), per check (when there are findings), this year
    against last (when last year has rows)."""
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
    return out


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


def _by_district(rows: list[ComplianceRow]) -> dict[str, list[ComplianceRow]]:
    """The rows of each district, districts and rows in the run's order."""
    out: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        out[r.district].append(r)
    return out


class _Book:
    """The workbook's formats, made once (XlsxWriter keeps one record per distinct format)."""

    def __init__(self, path: Path) -> None:
        # strings stay strings: an agency text starting with "=" or "http" is not a formula or a
        # link; in memory: no temporary file per sheet (a hundred districts, a hundred files)
        self.wb = xlsxwriter.Workbook(
            str(path),
            {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True},
        )
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.bold = self.wb.add_format({"bold": True})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.link = self.wb.get_default_url_format()
        self.fills = {s: self.wb.add_format({"bg_color": f"#{c}", "pattern": 1}) for s, c in FILLS.items()}
        self.names: set[str] = set()

    def sheet(self, name: str) -> Worksheet:
        """A new sheet named `name` as Excel allows: at most 31 characters, none of []:*?/\\,
        unique whatever the case (a numbered suffix when two districts cut to the same name)."""
        base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "区县"
        title, n = base, 1
        while title.casefold() in self.names:
            n += 1
            title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
        self.names.add(title.casefold())
        return self.wb.add_worksheet(title)

    def table(
        self,
        ws: Worksheet,
        header_row: int,
        headers: tuple[str, ...],
        widths: tuple[int, ...],
        rows: list[list],
        styles: Sequence[Mapping[int, Format]] = (),
        columns: Mapping[int, Format] | None = None,
    ) -> None:
        """Widths, the bold frozen header (`header_row`, 0-based), a filter over the table, the rows
        (`styles[i]`: row i's cells with a format of their own; `columns`: a column's format for
        its every cell); the last column's web addresses as links that read 「打开年报」. Each cell
        is written once."""
        for i, width in enumerate(widths):
            ws.set_column(i, i, width, (columns or {}).get(i))
        ws.write_row(header_row, 0, headers, self.bold)
        ws.freeze_panes(header_row + 1, 0)
        ws.autofilter(header_row, 0, header_row + max(len(rows), 1), len(headers) - 1)
        last = len(headers) - 1
        for i, values in enumerate(rows):
            n, start = header_row + 1 + i, 0
            for col, style in sorted((styles[i] if styles else {}).items()):
                ws.write_row(n, start, values[start:col])
                ws.write(n, col, values[col], style)
                start = col + 1
            ws.write_row(n, start, values[start:last])
            url = values[last]
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                ws.write_url(n, last, url, self.link, LINK_TEXT)
            elif url:
                ws.write_string(n, last, url)

    def add_charts(self, on: Worksheet, charts: list[Chart]) -> None:
        """Each chart as a native Excel chart on `on` (from column D down), over its figures on
        a sheet of their own (「图表数据」, the last)."""
        data = self.sheet(CHART_DATA_SHEET)
        data.set_column(0, 0, 34)
        row, anchor = 0, 0
        for chart in charts:
            data.write_string(row, 0, chart.title, self.bold)
            data.write_row(row + 1, 0, ["", *chart.series], self.bold)
            first, last = row + 2, row + 1 + len(chart.labels)
            for i, label in enumerate(chart.labels):
                data.write_string(first + i, 0, label)
                data.write_row(first + i, 1, [values[i] for values in chart.series.values()])
            native = self.wb.add_chart({"type": "bar", **({"subtype": "stacked"} if chart.stacked else {})})
            for j, name in enumerate(chart.series, start=1):
                native.add_series(
                    {
                        "name": [CHART_DATA_SHEET, row + 1, j],
                        "categories": [CHART_DATA_SHEET, first, 0, last, 0],
                        "values": [CHART_DATA_SHEET, first, j, last, j],
                        "fill": {"color": chart.color(name)},
                        "gap": 60,
                        **({"overlap": 100} if chart.stacked else {}),
                        **({} if chart.stacked else {"data_labels": {"value": True}}),
                    }
                )
            native.set_title({"name": chart.title, "name_font": {"size": 12}})
            native.set_x_axis({"name": chart.axis_title, "min": 0})
            native.set_y_axis(
                {"reverse": True, "crossing": "max"}
            )  # the first label at the top, as in the tables; the scale below
            native.set_legend({"position": "bottom"} if len(chart.series) > 1 else {"none": True})
            height = 110 + 22 * len(chart.labels) * (1 if chart.stacked else len(chart.series))
            native.set_size({"width": 720, "height": height})
            on.insert_chart(anchor, 3, native)
            anchor += height // 20 + 2  # rows of 20 px
            row = last + 2


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
    summary = drawn.summary
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path)
    ws = book.sheet("汇总")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 14)
    lines: list[tuple[list, object]] = [
        ([f"{year}年度政府信息公开工作年度报告合规情况"], book.title),
        ([f"截至{summary.as_of}"], None),
        ([], None),
        (["项目", "单位数"], book.bold),
        (["登记单位", summary.total], None),
        *(([name, count], None) for name, count in summary.categories.items()),
        (["有错误的单位", summary.agencies_with_errors], None),
        ([], None),
        (["检查项目", "待整改问题数"], book.bold),
        *(([name, count], None) for name, count in summary.findings_by_rule.items()),
    ]
    for n, (values, style) in enumerate(lines):
        ws.write_row(n, 0, values, style)
    summary_sheet = ws

    for district, items in _by_district(rows).items():
        ws = book.sheet(district)
        ws.write_string(0, 0, f"{district} {year}年度政府信息公开工作年度报告合规情况（截至{summary.as_of}）")
        fills = [book.fills.get(r.status.value) for r in items]  # the status cell in its colour
        book.table(ws, 1, HEADERS, WIDTHS, [_row(r) for r in items], [{1: f} if f else {} for f in fills])
    ws = book.sheet("问题清单")
    lines_f = [
        [
            f.district,
            f.agency,
            f.severity_text,
            f.rule_title,
            f.explanation or f.message,
            f.state_text,
            f.url or "",
        ]
        for f in findings
    ]
    book.table(ws, 0, FINDING_HEADERS, FINDING_WIDTHS, lines_f, columns={4: book.wrap})
    if drawn.charts:
        book.add_charts(summary_sheet, drawn.charts)
    book.wb.close()
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
    html = env.get_template("compliance.html.j2").render(
        year=year,
        districts=_by_district(rows),
        findings=findings,
        headers=HEADERS[:-1],
        row=lambda r: _row(r)[:-1],
        summary=drawn.summary,
        charts=drawn.charts,
        rules=sorted({f.rule for f in findings}),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
