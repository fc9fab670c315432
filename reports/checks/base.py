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
from typing import Any

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
    previous: ParsedReport | None = None  # same agency, year - 1
    peers: list[PeerText] = field(default_factory=list)  # same district, same year
    # An earlier fetched version of this same report (same URL), for CHANGED-AFTER-PUBLICATION.
    earlier_version: ParsedReport | None = None


RuleFn = Callable[[ParsedReport, CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # short Chinese title
    description: str  # Chinese, one sentence
    fn: RuleFn


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, title: str, description: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, title, description, fn)
        return fn

    return register
