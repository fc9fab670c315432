"""Terminal presentation (rich) of the compliance matrix and of a run's outcome (`nianbao run`,
`report`, `demo`): apart from the parsed-report presentation, which loads the form and the checks."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from alerts.localtime import zh_date

if TYPE_CHECKING:  # the matrix's module reads the database
    from nianbao.reporting.compliance import ComplianceRow


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
