"""Terminal presentation (rich) of parsed reports, findings and the compliance matrix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from alerts.localtime import zh_date
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

if TYPE_CHECKING:  # the matrix's module reads the database: `nianbao check` needs none of it
    from nianbao.reporting.compliance import ComplianceRow

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


def compliance_table(rows: list[ComplianceRow], year: int, title: str | None = None) -> Table:
    table = Table(title=title or f"{year}年度政府信息公开工作年度报告合规情况")
    for name in ("区县", "单位", "状态", "截止日期", "发布日期", "错误", "警告", "提示", "门户", "问题"):
        table.add_column(name, overflow="fold")  # CJK has no spaces to wrap at: fold, never cut
    style = {"on_time": "green", "late": "yellow", "missing": "bold red", "unverifiable": "magenta"}
    for r in rows:
        s = style.get(r.status.value, "")
        table.add_row(
            r.district,
            r.agency,
            f"[{s}]{r.status_text}[/{s}]" if s else r.status_text,
            zh_date(r.deadline),
            zh_date(r.published_on) if r.published_on else "—",
            str(r.errors),
            str(r.warnings),
            str(r.infos),
            r.portal_text,
            "、".join(r.rule_titles),
        )
    return table


TERMINAL_ROWS = 100  # rows a terminal table shows; rich lays out ≈3 ms a row, and nobody reads 5,000


def district_table(rows: list[ComplianceRow], year: int, limit: int = TERMINAL_ROWS) -> Table:
    """One row per district (at most `limit`, in the run's order): its agencies in the summary's
    five categories and how many have errors."""
    from nianbao.reporting.compliance import CATEGORIES, category

    by_district: dict[str, Counter] = {}
    for r in rows:
        counts = by_district.setdefault(r.district, Counter())
        counts[category(r)] += 1
        counts["errors"] += int(r.errors > 0)
        counts["total"] += 1
    table = Table(title=f"{year}年度政府信息公开工作年度报告合规情况（按区县汇总）")
    for name in ("区县", "单位数", *CATEGORIES, "有错误的单位"):
        table.add_column(name, overflow="fold", justify="left" if name == "区县" else "right")
    for district, counts in list(by_district.items())[:limit]:
        table.add_row(
            district, str(counts["total"]), *(str(counts[c]) for c in CATEGORIES), str(counts["errors"])
        )
    return table


def print_compliance(console: Console, rows: list[ComplianceRow], year: int) -> None:
    """Every agency's row up to `TERMINAL_ROWS` agencies; beyond, a row per district and where
    the whole matrix is (the files `nianbao report` writes)."""
    if len(rows) <= TERMINAL_ROWS:
        console.print(compliance_table(rows, year))
        return
    console.print(district_table(rows, year))
    districts = len({r.district for r in rows})
    more = f"，另有{districts - TERMINAL_ROWS}个区县未列出" if districts > TERMINAL_ROWS else ""
    console.print(
        f"共{len(rows)}个单位，超过{TERMINAL_ROWS}个，按区县汇总显示{more}；"
        f"逐个单位的情况见 nianbao report --year {year} 写入的 XLSX / HTML 文件"
    )


OUTCOME_ZH = {
    "unreachable": "无法访问",
    "blocked": "拒绝访问（疑似被拦截）",
    "no_entry": "找不到年报栏目",
    "error": "检查时程序出错",
}


def outcome_problem_line(name: str, outcome: dict) -> str:
    """「无法检查 湛河区应急管理局：无法访问」 for an agency whose portal could not be read."""
    what = OUTCOME_ZH.get(outcome["outcome"], "无法检查")
    return f"[yellow]无法检查[/yellow] {name}：{what}，本次无法核实其年报（这不代表该单位未发布）"


def stats_sentence(stats: dict) -> str:
    """「本次巡检 7 个单位：6 个检查完成，1 个无法访问；新版本报告 3 份，新发现问题 5 条」."""
    parts = [f"{stats.get('ok', 0)} 个检查完成"]
    if stats.get("unreachable"):
        parts.append(f"{stats['unreachable']} 个无法访问")
    if stats.get("errors"):
        parts.append(f"{stats['errors']} 个检查出错")
    return (
        f"本次巡检 {stats.get('agencies', 0)} 个单位：{'，'.join(parts)}；"
        f"新版本报告 {stats.get('new_versions', 0)} 份，新发现问题 {stats.get('new_findings', 0)} 条"
    )


def delivery_sentence(delivery: dict) -> str:
    """The alert delivery of a run in one sentence (deliver_alerts' plain dict)."""
    if "skipped" in delivery:
        return "提醒：未配置提醒渠道（NIANBAO_APPRISE_CONFIG），提醒已保存，配置后发送"
    sent, retrying, failed = delivery.get("sent", 0), delivery.get("retrying", 0), delivery.get("failed", 0)
    unroutable = delivery.get("unroutable", 0)
    if not (sent or retrying or failed or unroutable):
        return "提醒：没有需要发送的提醒"
    parts = [f"已发送 {sent} 条"]
    if retrying:
        parts.append(f"{retrying} 条发送失败、稍后重试")
    if failed:
        parts.append(f"{failed} 条多次发送失败、不再重试")
    if unroutable:
        parts.append(f"{unroutable} 条没有对应的接收方")
    return "提醒：" + "，".join(parts)
