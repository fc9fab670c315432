"""Findings and the rule registry.

A rule is a pure function from a report (plus optional context: last year's report,
peer reports, the agency's kind) to findings. Rules register themselves with
``@rule(...)`` so that the CLI, the docs and the pipeline all list the same set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from reports.model import ParsedReport


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

# Finding.status values: a real finding, or a check whose inputs were blank.
STATUS_FAIL = "fail"
STATUS_CANNOT_ASSESS = "cannot_assess"


@dataclass
class Finding:
    rule: str
    severity: Severity
    message: str  # Chinese, reads like a reviewer's note
    evidence: dict[str, Any] = field(default_factory=dict)
    # "fail" is a real finding; "cannot_assess" means the inputs were blank.
    status: str = "fail"

    def fingerprint(self) -> str:
        """Stable identity across re-checks: rule + where it points (not the wording)."""
        anchor = self.evidence.get("anchor") or {
            k: self.evidence[k]
            for k in sorted(self.evidence)
            if k in ("row", "column", "group", "cell", "sentence")
        }
        blob = json.dumps(
            {"rule": self.rule, "status": self.status, "anchor": anchor}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": self.evidence,
            "status": self.status,
        }


@dataclass(frozen=True)
class PeerText:
    """What the checks need of a peer's report: whose it is, its year and its section 五.
    Not the whole report: a district's peers are read for every agency of the district, and
    decoded reports (hundreds of KB each) kept for that made memory grow with the crawl."""

    agency: str | None
    year: int | None
    problems: str  # section 五's text; "" when the report has none

    @classmethod
    def of(cls, report: ParsedReport) -> PeerText:
        section = report.sections.get("problems")
        text = section.text if section is not None and section.present else ""
        return cls(agency=report.agency, year=report.year, problems=text)


@dataclass
class CheckContext:
    """What cross checks may look at besides the report itself."""

    agency_kind: str | None = None  # department / town / street / government
    # province / city / county / town (reports.levels); None when nothing says (then rules
    # that hold only at some levels stay silent)
    agency_level: str | None = None
    previous: ParsedReport | None = None  # same agency, year - 1
    peers: list[PeerText] = field(default_factory=list)  # same district, same year
    # An earlier fetched version of this same report (same URL), for CHANGED-AFTER-PUBLICATION.
    earlier_version: ParsedReport | None = None


RuleFn = Callable[[ParsedReport, CheckContext], Iterable[Finding]]
R = TypeVar("R", bound=RuleFn)  # @rule gives back the function as it is typed (a list, a generator)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # short Chinese title
    description: str  # Chinese, one sentence
    fn: RuleFn
    # Report years the rule holds for (first, last; None: open), e.g. FEE-STATEMENT from 2021.
    years: tuple[int | None, int | None] = (None, None)
    # Agency levels it holds for (reports.levels); None: every agency.
    levels: frozenset[str] | None = None
    # What the rule reads (table keys "proactive" / "requests" / "review_litigation", section
    # keys): a version missing one of them cannot show that an earlier finding was corrected.
    needs: tuple[str, ...] = ()
    # Where the rule stands in spec §4's table: the order of docs/rules.md, `nianbao rules` and of
    # findings of equal severity.
    order: int = 0

    def applies(self, year: int | None, level: str | None) -> bool:
        """Whether the rule may judge this report: a year or level the rule depends on and
        that is not known counts as not applying (no finding on a guess)."""
        first, last = self.years
        bounded = first is not None or last is not None
        if bounded and (
            year is None or (first is not None and year < first) or (last is not None and year > last)
        ):
            return False
        return self.levels is None or level in self.levels

    @property
    def scope_text(self) -> str:
        """When the rule applies, in Chinese (「2021年度起；县（区）级及以下单位」)."""
        from reports.levels import LEVEL_LABELS, LEVELS

        parts = []
        first, last = self.years
        if first is not None and last is not None:
            parts.append(f"{first}—{last}年度报告")
        elif first is not None:
            parts.append(f"{first}年度起的报告")
        elif last is not None:
            parts.append(f"{last}年度及以前的报告")
        if self.levels is not None:
            parts.append("、".join(LEVEL_LABELS[lv] for lv in LEVELS if lv in self.levels) + "单位")
        return "；".join(parts) or "所有报告"


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    severity: Severity,
    title: str,
    description: str,
    *,
    years: tuple[int | None, int | None] = (None, None),
    levels: frozenset[str] | None = None,
    needs: tuple[str, ...] = (),
    order: int,
) -> Callable[[R], R]:
    def register(fn: R) -> R:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        taken = [r.id for r in RULES.values() if r.order == order]
        if taken:
            raise ValueError(f"rule {rule_id}: order {order} is {taken[0]}'s")
        RULES[rule_id] = Rule(rule_id, severity, title, description, fn, years, levels, needs, order)
        return fn

    return register
