"""Terminal presentation (rich) of a parsed report and its findings (`nianbao check`); the
matrix and a run's outcome are `present_matrix`'s."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from reports.checks.base import SEVERITY_ORDER, Finding, Severity
from reports.form import (
    TABLE2_CELL_LABELS,
    TABLE2_ROW_LABELS,
    TABLE3_COLUMN_LABELS,
    TABLE3_COLUMNS,
    TABLE3_ROW_LABELS,
    TABLE4_CELL_LABELS,
    TABLE4_CELLS,
    TABLE4_GROUP_LABELS,
)
from reports.model import ParsedReport

FORM_ZH = {"F2021": "国办公开办函〔2021〕30号格式", "F2019": "国办公开办函〔2019〕60号格式"}
INPUT_ZH = {"text": "纯文本", "html": "网页", "pdf": "PDF 文件", "docx": "Word 文件", "image": "图片"}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}


def _fmt(value: object) -> str:
    return "空" if value is None else str(value)


def print_report(console: Console, report: ParsedReport) -> None:
    console.print(f"[bold]{report.title or '（未识别标题）'}[/bold]")
    console.print(
        f"单位：{report.agency or '?'}　年度：{report.year or '?'}　"
        f"格式：{FORM_ZH.get(report.form.value, '未能识别')}　来源形式：{INPUT_ZH.get(report.input_kind, report.input_kind)}"
    )
    present = "、".join(k for k, s in report.sections.items() if s.present) or "无"
    console.print(f"识别到的部分：{present}")
    t2 = Table(title="表二 主动公开政府信息情况", show_lines=False)
    t2.add_column("项目")
    t2.add_column("指标")
    t2.add_column("数值", justify="right")
    for row, cells in report.proactive.items():
        for cell, value in cells.items():
            t2.add_row(TABLE2_ROW_LABELS[row], TABLE2_CELL_LABELS[cell], _fmt(value.value))
    console.print(t2)
    t3 = Table(title="表三 收到和处理政府信息公开申请情况")
    t3.add_column("行")
    for c in TABLE3_COLUMNS:
        t3.add_column(TABLE3_COLUMN_LABELS[c], justify="right")
    for row, cells in report.requests.items():
        t3.add_row(TABLE3_ROW_LABELS.get(row, row), *(_fmt(cells[c].value) for c in TABLE3_COLUMNS))
    console.print(t3)
    t4 = Table(title="表四 行政复议、行政诉讼情况")
    t4.add_column("类别")
    for c in TABLE4_CELLS:
        t4.add_column(TABLE4_CELL_LABELS[c], justify="right")
    for group, cells in report.review_litigation.items():
        t4.add_row(TABLE4_GROUP_LABELS[group], *(_fmt(cells[c].value) for c in TABLE4_CELLS))
    console.print(t4)
    for problem in report.problems:
        console.print(f"[yellow]解析问题[/yellow] {problem.where}：{problem.reason}")


_HOW_ZH = {
    "row_split": "唯一拆分（只有一种拆分满足本行合计）",
    "identities": "由表格勾稽关系确定（本行有多种拆分，只有一种与各列勾稽关系一致）",
    "blank": "留空",
}
_TABLE_ZH = {"table2": "表二", "table3": "表三", "table4": "表四"}


def decoding_lines(report: ParsedReport) -> list[str]:
    """How the rows whose figures ran together were read, grouped by how (empty when none)."""
    if not report.decoding:
        return []
    lines = [f"连写数字的解码：共{len(report.decoding)}行的数字连在一起，按下列方式读取"]
    for how, title in _HOW_ZH.items():
        rows = [d for d in report.decoding if d.how == how]
        if not rows:
            continue
        lines.append(f"  {title}：{len(rows)}行")
        for d in rows:
            label = d.label if len(d.label) <= 16 else d.label[:15] + "…"
            name = f"{_TABLE_ZH.get(d.where.split('.')[0], d.where)}「{label}」"
            tail = f"，{d.readings}种拆分" if how == "identities" else ""
            reason = f"：{d.reason}" if d.reason else ""
            lines.append(f"    {name}「{d.digits}」{tail}{reason}")
    return lines


def print_decoding(console: Console, report: ParsedReport) -> None:
    for line in decoding_lines(report):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def print_findings(console: Console, findings: Iterable[Finding]) -> None:
    """Each finding by its title and the sentence of alerts/evidence.py; its rule code dimmed
    after it, for the technical reader."""
    from alerts.evidence import explain
    from alerts.rules_zh import rule_title

    ordered = sorted(findings, key=lambda f: (f.status != "fail", SEVERITY_ORDER[f.severity], f.rule))
    if not ordered:
        console.print("[green]未发现问题。[/green]")
        return
    current = None
    for f in ordered:
        group = "无法评估" if f.status != "fail" else SEVERITY_ZH[f.severity]
        if group != current:
            console.print(f"\n[bold]{group}[/bold]")
            current = group
        style = SEVERITY_STYLE[f.severity] if f.status == "fail" else "dim"
        x = explain(f.rule, f.message, f.evidence, f.status)
        console.print(f"  [{style}]{rule_title(f.rule)}[/{style}]：{x.text}")
        if x.quote:
            console.print(f"    原文：「{x.quote}」")
        if x.table:
            header, rows = x.table
            for row in rows:
                console.print("    " + "，".join(f"{h} {v}" for h, v in zip(header, row, strict=False)))
        console.print(f"    [dim]规则编号：{f.rule}[/dim]")
