"""Resolution only on evidence, and three answers for a deadline (issue 21), on SQLite and
PostgreSQL: a version that could not be read leaves findings open; a version that was read
but lacks what a finding rested on leaves it open too; a confirmed finding is resolved by a
corrected version; a portal that could not be read gives 「无法核实」, never MISSING."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from models.db import session_scope
from models.tables import Agency, Alert, Finding, row_id
from nianbao.deadlines.watch import check_deadlines
from nianbao.store.record import record_check_findings, reopen_finding, review_finding
from nianbao.store.registry import RegistrySettings
from reports.checks.readability import readability, unreadable_finding
from reports.model import ParsedReport
from reports.parse import parse_text
from tests.conftest import seed_path
from tests.core.test_lifecycle import _crawled, _setup, _store
from tests.known import known

YINGJI = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
AFTER_DEADLINE = datetime(2025, 2, 5, 2, 0, tzinfo=UTC)


def _states(url: str) -> dict[str, str]:
    with session_scope(url) as s:
        return {f.rule: f.state for f in s.exec(select(Finding)).all()}


def _kinds(url: str) -> list[str]:
    with session_scope(url) as s:
        return [a.kind for a in s.exec(select(Alert).order_by(col(Alert.id))).all()]


def _store_unreadable(url: str, tmp: Path, reason: str) -> dict[str, int]:
    """A new version the parser got nothing from: only its 「无法读取」 finding is recorded."""
    from models.tables import Jurisdiction
    from nianbao.store.record import FetchedBytes, record_document, record_report

    with session_scope(url) as s:
        agency = s.exec(select(Agency)).one()
        jur = s.get_one(Jurisdiction, agency.jurisdiction_id)
        doc, _ = record_document(
            s,
            agency_id=agency.id,
            fetched=FetchedBytes(url="http://x/r.html", content=b"\x89PNG..."),
            raw_root=tmp,
        )
        report, _, _ = record_report(
            s,
            agency=agency,
            year=2024,
            parsed=ParsedReport(),
            document=doc,
            url="http://x/r.html",
            title=None,
            published_at=None,
            published_at_source=None,
        )
        finding = unreadable_finding(reason, url="http://x/r.html")
        return record_check_findings(
            s, agency=agency, jurisdiction=jur, year=2024, report=report, findings=[finding], parsed=None
        )


def test_an_unreadable_version_leaves_findings_open_and_says_so(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    _store(db_url, tmp_path, YINGJI, None)
    assert _states(db_url) == {"TEXT-TABLE": "open"}
    counts = _store_unreadable(db_url, tmp_path, "报告为图片，无法机读")
    assert counts == {"new": 0, "resolved": 0}
    assert _states(db_url) == {"TEXT-TABLE": "open", "UNREADABLE": "open"}
    kinds = _kinds(db_url)
    assert "resolved" not in kinds and kinds.count("unreadable") == 1
    # a readable corrected version then resolves both; only the real finding is announced
    fixed = YINGJI.replace("成功办理了 15 项行政许可", "成功办理了 9 项行政许可")
    assert _store(db_url, tmp_path, fixed, None)["resolved"] == 1
    assert _states(db_url) == {"TEXT-TABLE": "resolved", "UNREADABLE": "resolved"}
    assert _kinds(db_url).count("resolved") == 1


def test_a_version_without_the_cells_a_finding_rested_on_does_not_resolve_it(
    db_url: str, tmp_path: Path
) -> None:
    """The TEXT-TABLE finding rests on table 二's 行政许可 cell; a version whose table 二 was not
    read cannot show that it was corrected."""
    _setup(db_url)
    _store(db_url, tmp_path, YINGJI, None)
    start = YINGJI.index("二、主动公开政府信息情况")
    end = YINGJI.index("三、收到和处理政府信息公开申请情况")
    without_table2 = YINGJI[:start] + "二、主动公开政府信息情况\n（表格见附件）\n" + YINGJI[end:]
    parsed = parse_text(without_table2)
    assert readability(parsed).readable and not parsed.tables_found["proactive"]
    assert _store(db_url, tmp_path, without_table2, None)["resolved"] == 0
    assert _states(db_url)["TEXT-TABLE"] == "open"
    assert "resolved" not in _kinds(db_url)


def test_a_confirmed_finding_is_resolved_by_a_corrected_version_keeping_its_note(
    db_url: str, tmp_path: Path
) -> None:
    _setup(db_url)
    _store(db_url, tmp_path, YINGJI, None)
    with session_scope(db_url) as s:
        fid = row_id(s.exec(select(Finding).where(Finding.rule == "TEXT-TABLE")).one())
        review_finding(s, fid, "confirmed", "已电话核实，单位承认笔误")
    fixed = YINGJI.replace("成功办理了 15 项行政许可", "成功办理了 9 项行政许可")
    assert _store(db_url, tmp_path, fixed, None)["resolved"] == 1
    with session_scope(db_url) as s:
        row = s.get_one(Finding, fid)
        assert row.state == "resolved" and row.review_comment == "已电话核实，单位承认笔误"
    assert _kinds(db_url)[-1] == "resolved"


def test_a_person_closes_and_reopens_a_finding(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    _store(db_url, tmp_path, YINGJI, None)
    with session_scope(db_url) as s:
        fid = row_id(s.exec(select(Finding).where(Finding.rule == "TEXT-TABLE")).one())
        review_finding(s, fid, "closed", "单位已书面说明")
    _store(db_url, tmp_path, YINGJI + "\n", None)  # a new version with the same problem: still closed
    assert _states(db_url)["TEXT-TABLE"] == "closed"
    with session_scope(db_url) as s:
        row = reopen_finding(s, fid, "说明不成立")
        assert (
            row.state == "open"
            and "重新打开" in known(row.review_comment)
            and "单位已书面说明" in known(row.review_comment)
        )


def test_could_not_check_is_unverifiable_never_missing(db_url: str) -> None:
    _setup(db_url)
    rules = RegistrySettings()
    _crawled(db_url, complete=False)
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, AFTER_DEADLINE, rules)
    assert verdict.verdict.status == "unverifiable" and verdict.verdict.phase == "overdue"
    assert "MISSING" not in _states(db_url)
    assert _kinds(db_url) == ["unverifiable"]
    with session_scope(db_url) as s:
        check_deadlines(s, 2024, AFTER_DEADLINE, rules)  # the same episode: said once
    assert _kinds(db_url) == ["unverifiable"]
    _crawled(db_url, complete=True)  # the column read in full, no report: now it is missing
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, AFTER_DEADLINE, rules)
    assert verdict.verdict.status == "missing"
    assert _kinds(db_url) == ["unverifiable", "missing"]
    _crawled(db_url, complete=False)  # unreadable again: the earlier full reading's MISSING stands
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, AFTER_DEADLINE, rules)
    assert verdict.verdict.status == "missing" and _kinds(db_url) == ["unverifiable", "missing"]


def test_near_deadline_and_unreadable_is_unverifiable_not_due_soon(db_url: str) -> None:
    _setup(db_url)
    _crawled(db_url, complete=False)
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, datetime(2025, 1, 25, 2, 0, tzinfo=UTC), RegistrySettings())
    assert verdict.verdict.status == "unverifiable" and verdict.verdict.phase == "due_soon"
    assert _kinds(db_url) == ["unverifiable"]


def test_never_crawled_is_unverifiable_without_an_alert(db_url: str) -> None:
    _setup(db_url)
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, AFTER_DEADLINE, RegistrySettings())
    assert verdict.verdict.status == "unverifiable" and verdict.verdict.crawl_outcome == "not_crawled"
    assert _kinds(db_url) == []
