"""The compliance matrix as files the office forwards: an XLSX workbook (one sheet per
district, one sheet of findings) and a standalone HTML page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from nianbao.compliance import ComplianceRow

HEADERS = ("单位", "状态", "截止日期", "发布日期", "日期来源", "错误", "警告", "提示", "门户", "问题规则")
FINDING_HEADERS = ("区县", "单位", "级别", "规则", "说明", "状态", "链接")
FILLS = {"missing": "F8CBAD", "late": "FFE699", "on_time": "C6EFCE", "unverifiable": "D9D9D9"}


@dataclass
class FindingLine:
    district: str
    agency: str
    severity: str
    rule: str
    message: str
    state: str
    url: str | None


def _row(r: ComplianceRow) -> list:
    return [
        r.agency,
        r.status_text,
        r.deadline,
        r.published_on or "",
        r.date_source or "",
        r.errors,
        r.warnings,
        r.infos,
        r.portal,
        ", ".join(r.rules),
    ]


def write_xlsx(rows: list[ComplianceRow], findings: list[FindingLine], year: int, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    by_district: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        by_district[r.district].append(r)
    for district, items in by_district.items():
        ws = wb.create_sheet(title=district[:31])  # Excel caps sheet names at 31 characters
        ws.append([f"{district} {year}年度政府信息公开工作年度报告合规情况"])
        ws.append(list(HEADERS))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for r in items:
            ws.append(_row(r))
            fill = FILLS.get(r.status.value)
            if fill:
                ws.cell(row=ws.max_row, column=2).fill = PatternFill("solid", fgColor=fill)
        ws.column_dimensions["A"].width = 36
    ws = wb.create_sheet(title="问题清单")
    ws.append(list(FINDING_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for f in findings:
        ws.append([f.district, f.agency, f.severity, f.rule, f.message, f.state, f.url or ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_html(rows: list[ComplianceRow], findings: list[FindingLine], year: int, path: Path) -> Path:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    by_district: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        by_district[r.district].append(r)
    html = env.get_template("compliance.html.j2").render(
        year=year, districts=by_district, findings=findings, headers=HEADERS, row=_row
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
