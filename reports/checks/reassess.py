"""Can a new version of a report show that an earlier finding was corrected?

Only when it was read, the same rule could judge it again, and found nothing: a table the
parser could not read, a blank cell the finding rested on, or the rule's own 「无法核验」 note
on the same place all leave the earlier finding open. (「已整改」 is an accusation's end: it
must rest on what was seen, as the accusation did.)
"""

from __future__ import annotations

from typing import Any

from reports.checks.base import RULES, STATUS_CANNOT_ASSESS, Finding
from reports.checks.monitor_rules import UNREADABLE
from reports.form import SECTION_KEYS
from reports.model import ParsedReport

TABLE_KEYS = ("proactive", "requests", "review_litigation")
LEGACY_UNREADABLE = ("PARSE-ERROR",)  # the parser-crash finding of earlier versions


def _cell_value(report: ParsedReport, ref: dict[str, Any]) -> object:
    table = ref.get("table")
    if table == 3:
        return report.t3(ref.get("row", ""), ref.get("column", ""))
    if table == 4:
        cell = report.review_litigation.get(ref.get("group", ""), {}).get(ref.get("cell", ""))
        return None if cell is None else cell.value
    if table == 2:
        cell = report.proactive.get(ref.get("row", ""), {}).get(ref.get("column", ""))
        return None if cell is None else cell.value
    return object()  # not a table cell: nothing blank to speak of


def _same_place(anchor: dict[str, Any] | None, note: Finding) -> bool:
    """A cannot-assess note covers the finding's place: the same anchor, or the whole table."""
    other = note.evidence.get("anchor") or {}
    if anchor and other == anchor:
        return True
    return other.get("scope") in ("table", "blank") and (anchor or {}).get("table") == other.get("table")


def rule_applies(rule_id: str, report: ParsedReport, level: str | None) -> bool:
    """False for a content rule that no longer holds for this report (its years or levels)."""
    rule = RULES.get(rule_id)
    return rule is None or rule.applies(report.year, level)


def can_reassess(
    rule_id: str, evidence: dict[str, Any], report: ParsedReport, findings: list[Finding]
) -> bool:
    """Whether checking `report` (whose findings are `findings`) judged again what an earlier
    finding of `rule_id` with `evidence` pointed at. The caller knows the report was read."""
    if rule_id == UNREADABLE or rule_id in LEGACY_UNREADABLE:
        return True  # this version was read
    rule = RULES.get(rule_id)
    if rule is None:
        return False  # not a check of the report's content (MISSING, LATE …): not ours to judge
    for need in rule.needs:
        if need in TABLE_KEYS and not report.tables_found.get(need, False):
            return False
        if need in SECTION_KEYS and not (need in report.sections and report.sections[need].present):
            return False
    for ref in evidence.get("cells") or []:
        if isinstance(ref, dict) and _cell_value(report, ref) is None:
            return False
    anchor = evidence.get("anchor")
    return not any(
        f.rule == rule_id and f.status == STATUS_CANNOT_ASSESS and _same_place(anchor, f) for f in findings
    )
