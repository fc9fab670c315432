"""The four real 2024 seed reports give exactly the findings listed in spec §6.

Parses with the real parser (reports.parse.parse_path), so this is an end-to-end
check of parser and rules together. Only failing findings of severity error or
warning count as "findings" here; info notes are allowed but no arithmetic rule may
say anything (the seeds' tables 三 and 四 are all zeros and balance).
"""

from __future__ import annotations

import pytest

from reports.checks import run_checks
from reports.checks.base import STATUS_FAIL, CheckContext, Finding, Severity
from reports.model import ParsedReport
from tests.conftest import seed_path

ARITHMETIC = {"T3-BALANCE", "T3-OUTCOME-SUM", "T3-ROW-SUM", "T4-SUM", "NUM-RANGE"}
EXPECTED = {
    "zhanhe-gongxin-2024.txt": {"YEAR-PLAN"},
    "zhanhe-yingji-2024.txt": {"TEXT-TABLE"},
    "shunhe-shenpi-2024.txt": set(),
    "jianxi-gongxin-2024.txt": set(),
}


def _parse(name: str) -> ParsedReport:
    from reports.parse import parse_path  # written concurrently; imported here so other tests still run

    return parse_path(seed_path(name))


def _check(name: str) -> list[Finding]:
    return run_checks(_parse(name), CheckContext(agency_kind="department"))


def _serious(findings: list[Finding]) -> list[Finding]:
    return [
        f for f in findings if f.status == STATUS_FAIL and f.severity in (Severity.ERROR, Severity.WARNING)
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_findings_match_spec(name: str) -> None:
    findings = _check(name)
    assert {f.rule for f in _serious(findings)} == EXPECTED[name], [f.message for f in findings]
    assert not [f for f in findings if f.rule in ARITHMETIC], [f.message for f in findings]
    assert not [f for f in findings if f.severity == Severity.ERROR and f.status == STATUS_FAIL]


def test_zhanhe_gongxin_year_plan() -> None:
    (f,) = _serious(_check("zhanhe-gongxin-2024.txt"))
    assert f.evidence["sentence"].startswith("2024年，我局将认真贯彻落实")
    assert f.evidence["section"] == "problems"
    assert f.evidence["sentence"].endswith("深化公开效果：")


def test_zhanhe_yingji_licensing_15_vs_9() -> None:
    (f,) = _serious(_check("zhanhe-yingji-2024.txt"))
    assert f.evidence["topic"] == "licensing"
    assert (f.evidence["stated"], f.evidence["table_value"]) == (15, 9)
    assert "成功办理了 15 项行政许可" in f.evidence["sentence"]
