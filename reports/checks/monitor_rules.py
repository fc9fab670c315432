"""What the monitor itself says about an agency-year, beside the checks of a report's content.

These are not functions of a report: MISSING, LATE and DUE-SOON come from the deadline and the
dates the crawler saw, 「无法核实」 and 「无法读取」 from what it could not see. They are listed
here so that `nianbao rules` and docs/rules.md show every kind of alert an office can receive,
with when each one is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.checks.base import Severity


@dataclass(frozen=True)
class MonitorRule:
    id: str
    severity: Severity
    title: str  # short Chinese title
    when: str  # Chinese: when it is given, and when it is not


UNVERIFIABLE = "UNVERIFIABLE"
UNREADABLE = "UNREADABLE"

MONITOR_RULES: tuple[MonitorRule, ...] = (
    MonitorRule(
        "MISSING",
        Severity.ERROR,
        "未按期发布年报",
        "截止日期（含宽限期）已过，且本次运行完整读取了该单位登记的全部栏目，未找到该年度报告。"
        "栏目无法访问、被拦截或未读全时不给出，改为“无法核实”。",
    ),
    MonitorRule(
        "LATE",
        Severity.WARNING,
        "逾期发布年报",
        "报告的发布日期晚于截止日期；说明日期取自何处（页面元数据、发布日期标注、网址、栏目列表或系统首次发现时间）。",
    ),
    MonitorRule(
        "DUE-SOON",
        Severity.INFO,
        "即将到期",
        "截止日期前若干天（登记表 due_soon_days，默认14天）内，完整读取栏目后仍未找到报告时提醒一次。",
    ),
    MonitorRule(
        UNVERIFIABLE,
        Severity.WARNING,
        "无法核实",
        "截止日期已过或临近，但该单位的栏目无法访问、被拦截或未能读全，无法确认是否已发布；附门户错误。"
        "这不是对该单位的认定。截止季以外，同一门户连续多次无法访问时另发“站点无法检查”提醒。",
    ),
    MonitorRule(
        UNREADABLE,
        Severity.INFO,
        "无法读取",
        "找到了报告，但其文件无法下载或内容无法机读（图片、扫描件、不是年度报告的页面等），内容未经检查；"
        "原始文件已保存。此前的问题保持不变，不会因此被视为已整改。",
    ),
)
