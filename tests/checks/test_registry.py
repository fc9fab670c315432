"""run_checks, the registry, docs/rules.md and fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

from reports.checks import RULES, ordered_rules, rules_markdown, run_checks
from reports.checks.base import SEVERITY_ORDER, STATUS_CANNOT_ASSESS, CheckContext, Finding, Rule, Severity
from reports.model import ParsedReport
from tests.checks.factory import consistent_report, set_section, set_t3
from tests.known import known

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

SPEC_RULES = {
    "T3-BALANCE": Severity.ERROR,
    "T3-OUTCOME-SUM": Severity.ERROR,
    "T3-ROW-SUM": Severity.ERROR,
    "T4-SUM": Severity.ERROR,
    "NUM-RANGE": Severity.ERROR,
    "SECTIONS": Severity.ERROR,
    "TABLES": Severity.ERROR,
    "FORMAT-VERSION": Severity.ERROR,
    "YEAR": Severity.ERROR,
    "YEAR-PLAN": Severity.WARNING,
    "TEXT-TABLE": Severity.WARNING,
    "FEE-STATEMENT": Severity.WARNING,
    "REGULATIONS-LEVEL": Severity.WARNING,
    "OTHER-SHARE": Severity.INFO,
    "OVERVIEW-LENGTH": Severity.INFO,
    "CARRY-OVER": Severity.WARNING,
    "STOCK-FLOW": Severity.INFO,
    "REPEATED-TEXT": Severity.WARNING,
    "CHANGED-AFTER-PUBLICATION": Severity.INFO,
}


def _broken() -> ParsedReport:
    report = consistent_report()
    set_t3(report, "new", "total", known(report.t3("new", "total")) + 1)  # errors
    set_section(report, "other", "无。")  # a warning
    set_section(report, "overview", "公开" * 600)  # an info
    return report


def test_registry_holds_spec_section_4_in_its_order() -> None:
    """Every check of spec §4 is registered with its severity, in the spec's order (rules beyond
    the spec may be added by their module alone; the order is each rule's own `order=`)."""
    assert {rid: RULES[rid].severity for rid in SPEC_RULES if rid in RULES} == SPEC_RULES
    assert [r.id for r in ordered_rules() if r.id in SPEC_RULES] == list(SPEC_RULES)
    assert len({r.order for r in RULES.values()}) == len(RULES)
    for r in RULES.values():
        assert r.title and r.description and r.description.endswith("。"), r.id


def test_consistent_report_has_no_findings() -> None:
    assert run_checks(consistent_report(), CheckContext(agency_kind="government")) == []


def test_findings_sorted_errors_first_and_json_ready() -> None:
    findings = run_checks(_broken())
    severities = [SEVERITY_ORDER[f.severity] for f in findings]
    assert severities == sorted(severities)
    assert {f.severity for f in findings} == {Severity.ERROR, Severity.WARNING, Severity.INFO}
    json.dumps([f.to_json() for f in findings], ensure_ascii=False)


def test_every_finding_has_a_stable_anchor() -> None:
    first = run_checks(_broken())
    again = run_checks(_broken())
    assert all("anchor" in f.evidence for f in first)
    assert [f.fingerprint() for f in first] == [f.fingerprint() for f in again]
    assert len({f.fingerprint() for f in first}) == len(first)


def test_rule_crash_becomes_a_visible_note(monkeypatch) -> None:
    def boom(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
        raise RuntimeError("boom")

    monkeypatch.setitem(RULES, "ZZ-BOOM", Rule("ZZ-BOOM", Severity.ERROR, "测试", "测试。", boom))
    findings = run_checks(consistent_report())
    assert [(f.rule, f.status) for f in findings] == [("ZZ-BOOM", STATUS_CANNOT_ASSESS)]


def test_docs_rules_md_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: regenerate it with "
        'python -c \'from reports.checks import rules_markdown; open("docs/rules.md","w").write(rules_markdown())\''
    )
    for rule_id in SPEC_RULES:
        assert f"`{rule_id}`" in rules_markdown()
