"""Chinese titles for rule ids (spec §4), so every message names the rule in words the office uses.

Titles come from the check registry and the monitor's own rules (reports/checks/monitor_rules.py)."""

from __future__ import annotations

# Findings recorded by earlier versions under rules that are no longer produced.
LEGACY_RULE_TITLES: dict[str, str] = {"PARSE-ERROR": "报告无法解析"}

SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


def severity_rank(severity: str) -> int:
    """Errors first, then warnings, infos, and anything unknown last."""
    return SEVERITY_RANK.get(severity, len(SEVERITY_RANK))


def rule_title(rule: str | None) -> str:
    """The Chinese title of ``rule``, or the id itself when unknown."""
    if not rule:
        return ""
    from reports.checks import RULES  # the registry is the one source of rule titles
    from reports.checks.monitor_rules import MONITOR_RULES

    if rule in RULES:
        return RULES[rule].title
    monitor = {m.id: m.title for m in MONITOR_RULES}
    return monitor.get(rule) or LEGACY_RULE_TITLES.get(rule, rule)


# Where a report's publication date was read (scrapers/meta.py, nianbao/deadlines/watch.py).
DATE_SOURCES_ZH: dict[str, str] = {
    "meta:PubDate": "页面元数据标注的发布时间",
    "label:发布日期": "页面“发布日期”标注",
    "label:发布时间": "页面“发布时间”标注",
    "label:上载日期": "页面“上载日期”标注",
    "label:时间": "页面“时间”标注",
    "url": "网址中的日期",
    "list": "栏目列表中该条目旁的日期（文章页未能读取）",
    "first_seen": "页面未标注发布日期，按系统首次发现时间计",
    "page": "页面标注的日期",
}


def date_source_zh(source: str | None) -> str:
    """Where a publication date came from, as the office reads it (never ``meta:PubDate``)."""
    if not source:
        return "来源不明"
    if source in DATE_SOURCES_ZH:
        return DATE_SOURCES_ZH[source]
    if source.startswith("label:"):
        return f"页面“{source.removeprefix('label:')}”标注"
    return "页面标注的日期"
