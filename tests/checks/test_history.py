"""CARRY-OVER, STOCK-FLOW, REPEATED-TEXT, CHANGED-AFTER-PUBLICATION."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.checks.base import STATUS_CANNOT_ASSESS, STATUS_FAIL, CheckContext, PeerText, Severity
from reports.checks.history import (
    SIMILARITY_THRESHOLD,
    _shingles,
    carry_over,
    changed_after_publication,
    repeated_text,
    similarity,
    stock_flow,
)
from reports.form import TABLE3_COLUMNS
from reports.model import Cell, ParsedReport
from tests.checks.factory import PROBLEMS_TEXT, consistent_report, set_section, set_t2, set_t3
from tests.known import known


def _previous_matching(report: ParsedReport) -> ParsedReport:
    """Last year's report whose carried-forward and stock match this year's."""
    prev = consistent_report(year=known(report.year) - 1)
    for col in TABLE3_COLUMNS:
        set_t3(prev, "carried_forward", col, report.t3("carried_over", col))
    in_force = report.t2("normative_documents", "in_force")
    issued = report.t2("normative_documents", "issued")
    repealed = report.t2("normative_documents", "repealed")
    assert isinstance(in_force, int) and isinstance(issued, int) and isinstance(repealed, int)
    set_t2(prev, "normative_documents", "in_force", in_force - issued + repealed)
    set_section(
        prev,
        "problems",
        "上一年度的问题与本年完全不同：网站栏目设置不合理，公开目录长期未更新，答复期限把握不准。",
    )
    return prev


def test_history_rules_silent_without_previous(report: ParsedReport) -> None:
    ctx = CheckContext()
    for fn in (carry_over, stock_flow, repeated_text, changed_after_publication):
        assert fn(report, ctx) == [], fn.__name__


def test_history_pass(report: ParsedReport) -> None:
    ctx = CheckContext(previous=_previous_matching(report))
    for fn in (carry_over, stock_flow, repeated_text):
        assert fn(report, ctx) == [], fn.__name__


def test_carry_over_mismatch(report: ParsedReport) -> None:
    prev = _previous_matching(report)
    set_t3(prev, "carried_forward", "commercial", known(report.t3("carried_over", "commercial")) + 2)
    (f,) = carry_over(report, CheckContext(previous=prev))
    assert f.severity == Severity.WARNING and f.status == STATUS_FAIL
    assert f.evidence["column"] == "commercial" and f.evidence["difference"] == -2
    assert f.evidence["previous_year"] == 2023
    assert "商业企业" in f.message and "2023年度" in f.message


def test_carry_over_blank(report: ParsedReport) -> None:
    prev = _previous_matching(report)
    set_t3(prev, "carried_forward", "research", None)
    (f,) = carry_over(report, CheckContext(previous=prev))
    assert f.status == STATUS_CANNOT_ASSESS
    assert [c["column"] for c in f.evidence["blank_cells"]] == ["research"]


def test_previous_of_wrong_year_is_ignored(report: ParsedReport) -> None:
    prev = _previous_matching(report)
    set_t3(prev, "carried_forward", "commercial", 999)
    prev.year = 2021
    assert carry_over(report, CheckContext(previous=prev)) == []


def test_stock_flow_mismatch_and_blank(report: ParsedReport) -> None:
    prev = _previous_matching(report)
    set_t2(prev, "normative_documents", "in_force", 20)
    (f,) = stock_flow(report, CheckContext(previous=prev))
    assert f.severity == Severity.INFO
    assert (f.evidence["expected"], f.evidence["actual"]) == (20 + 4 - 5, 16)
    assert "行政规范性文件" in f.message
    set_t2(prev, "normative_documents", "in_force", None)
    (f,) = stock_flow(report, CheckContext(previous=prev))
    assert f.status == STATUS_CANNOT_ASSESS


def test_repeated_text_against_last_year(report: ParsedReport) -> None:
    prev = _previous_matching(report)
    set_section(prev, "problems", PROBLEMS_TEXT.replace("每季度", "每半年").replace("本年度", "2023年"))
    (f,) = repeated_text(report, CheckContext(previous=prev))
    ev = f.evidence
    assert f.severity == Severity.WARNING and ev["against"] == "previous"
    assert ev["similarity"] >= SIMILARITY_THRESHOLD
    assert len(ev["longest_passage"]) > 50 and ev["longest_passage"] in PROBLEMS_TEXT
    assert "高度雷同" in f.message and "2023年度" in f.message


def test_repeated_text_against_peer(report: ParsedReport) -> None:
    peer = consistent_report(agency="某区民政局")
    unrelated = consistent_report(agency="某区教育局")
    set_section(
        unrelated,
        "problems",
        "学校信息公开专栏建设滞后，招生入学政策解读不够通俗，家长咨询答复不及时。下一步将开设专栏。",
    )
    findings = repeated_text(report, CheckContext(peers=[PeerText.of(r) for r in (report, peer, unrelated)]))
    assert [(f.evidence["against"], f.evidence["other_agency"]) for f in findings] == [("peer", "某区民政局")]


def test_similarity_scale() -> None:
    assert similarity(PROBLEMS_TEXT, PROBLEMS_TEXT) == 1.0
    assert similarity(PROBLEMS_TEXT, "学校信息公开专栏建设滞后，招生入学政策解读不够通俗。") < 0.2


def test_changed_after_publication(report: ParsedReport) -> None:
    earlier = consistent_report()
    assert changed_after_publication(report, CheckContext(earlier_version=earlier)) == []
    set_t3(report, "granted", "total", 1)
    set_section(report, "other", "本年度未收取任何费用。")
    (f,) = changed_after_publication(report, CheckContext(earlier_version=earlier))
    assert f.severity == Severity.INFO
    assert [s["section"] for s in f.evidence["sections"]] == ["other"]
    assert f.evidence["cells"] == [
        {
            "table": "requests",
            "row": "granted",
            "column": "total",
            "before": earlier.t3("granted", "total"),
            "after": 1,
        }
    ]


def test_stock_flow_skips_f2019_table2(report: ParsedReport) -> None:
    prev = _previous_matching(report)
    prev.proactive["normative_documents"] = {
        "made": Cell(value=1),
        "published": Cell(value=1),
        "public_total": Cell(value=9),
    }
    assert stock_flow(report, CheckContext(previous=prev)) == []


_SECTION_CHARS = "进一步加强政府信息公开工作主动公开的内容不够全面及时，1 2 。、“”（）\u3000ＡBc"


@given(
    st.text(alphabet=_SECTION_CHARS, max_size=120),
    st.text(alphabet=_SECTION_CHARS, max_size=120),
)
def test_similarity_is_the_jaccard_of_the_letters_trigrams(a: str, b: str) -> None:
    """The memoised, int-coded shingles give the rule's definition: the Jaccard similarity of
    the 3-gram sets of the texts' letters (NFKC; whitespace, punctuation and digits removed)."""

    def trigrams(text: str) -> set[str]:
        letters = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalpha())
        return {letters[i : i + 3] for i in range(len(letters) - 2)}

    ta, tb = trigrams(a), trigrams(b)
    expected = len(ta & tb) / len(ta | tb) if ta and tb else 0.0
    assert similarity(a, b) == pytest.approx(expected)
    assert len(_shingles(a)) == len(ta)  # one code per distinct 3-gram, none merged
    assert similarity(a, b) == similarity(b, a)
