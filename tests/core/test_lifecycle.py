"""Finding lifecycle and deadline events in the database (SQLite and PostgreSQL):
re-checks change nothing, corrections resolve, a person's verdict sticks, a report
that appears after MISSING resolves it with a 「已发布」 event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from models.db import session_scope
from models.tables import Agency, AgencyCrawl, Alert, CrawlRun, Finding, Jurisdiction, Report, row_id
from nianbao.deadlines.watch import check_deadlines
from nianbao.store.record import (
    FetchedBytes,
    record_check_findings,
    record_document,
    record_report,
    review_finding,
)
from nianbao.store.registry import RegistrySettings
from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.parse import parse_path
from tests.conftest import seed_path


def _setup(url: str) -> None:
    with session_scope(url) as s:
        j = Jurisdiction(code="pds-zhanhe", name="平顶山市湛河区")
        s.add(j)
        s.flush()
        s.add(Agency(code="zhanhe-yingji", name="湛河区应急管理局", jurisdiction_id=row_id(j)))


def _store(url: str, tmp: Path, text: str, published: datetime | None) -> dict[str, int]:
    from reports.parse import parse_text

    parsed = parse_text(text)
    with session_scope(url) as s:
        agency = s.exec(select(Agency)).one()
        jur = s.get_one(Jurisdiction, agency.jurisdiction_id)
        doc, _ = record_document(
            s,
            agency_id=agency.id,
            fetched=FetchedBytes(url="http://x/r.html", content=text.encode()),
            raw_root=tmp,
        )
        report, _, _ = record_report(
            s,
            agency=agency,
            year=2024,
            parsed=parsed,
            document=doc,
            url="http://x/r.html",
            title=parsed.title,
            published_at=published,
            published_at_source="meta:PubDate",
        )
        findings = run_checks(parsed, CheckContext(agency_kind="department"))
        return record_check_findings(
            s, agency=agency, jurisdiction=jur, year=2024, report=report, findings=findings, parsed=parsed
        )


def _crawled(url: str, *, complete: bool = True) -> None:
    """A crawl of the agency's columns: read in full, or not (the portal failed)."""
    with session_scope(url) as s:
        agency = s.exec(select(Agency)).one()
        run = CrawlRun(trigger="test")
        s.add(run)
        s.flush()
        outcome = "ok" if complete else "unreachable"
        s.add(
            AgencyCrawl(
                crawl_run_id=row_id(run), agency_id=row_id(agency), outcome=outcome, complete=complete
            )
        )


def _open_rules(url: str) -> dict[str, str]:
    with session_scope(url) as s:
        return {f.rule: f.state for f in s.exec(select(Finding).where(Finding.status == "fail")).all()}


def test_recheck_changes_nothing_and_correction_resolves(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    first = _store(db_url, tmp_path, text, datetime(2025, 1, 24, 15, 3))
    assert first["new"] == 1 and _open_rules(db_url) == {"TEXT-TABLE": "open"}
    with session_scope(db_url) as s:
        alerts_before = len(s.exec(select(Alert)).all())
    again = _store(db_url, tmp_path, text, datetime(2025, 1, 24, 15, 3))
    assert again == {"new": 0, "resolved": 0}
    corrected = text.replace("成功办理了 15 项行政许可", "成功办理了 9 项行政许可")
    fixed = _store(db_url, tmp_path, corrected, datetime(2025, 1, 24, 15, 3))
    assert fixed["resolved"] == 1 and _open_rules(db_url) == {"TEXT-TABLE": "resolved"}
    with session_scope(db_url) as s:
        kinds = [a.kind for a in s.exec(select(Alert).order_by(col(Alert.id))).all()]
    assert len(kinds) == alerts_before + 1 and kinds[-1] == "resolved"


def test_a_version_stored_twice_is_one_row_not_created_again(db_url: str, tmp_path: Path) -> None:
    """What the crawl relies on when another run stored the same bytes meanwhile: the second
    `record_report` answers with the stored row and says it created nothing."""
    from reports.parse import parse_text

    _setup(db_url)
    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    parsed = parse_text(text)
    answers = []
    for _ in range(2):
        with session_scope(db_url) as s:
            agency = s.exec(select(Agency)).one()
            doc, _ = record_document(
                s,
                agency_id=agency.id,
                fetched=FetchedBytes(url="http://x/r.html", content=text.encode()),
                raw_root=tmp_path,
            )
            answers.append(
                record_report(
                    s,
                    agency=agency,
                    year=2024,
                    parsed=parsed,
                    document=doc,
                    url=doc.url,
                    title=None,
                    published_at=None,
                    published_at_source=None,
                )
            )
    first, second = answers
    assert (first.created, second.created) == (True, False)
    assert second.report.id == first.report.id and second.replaced is None
    with session_scope(db_url) as s:
        assert len(s.exec(select(Report)).all()) == 1


def test_person_verdict_survives_rechecks(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    _store(db_url, tmp_path, text, None)
    with session_scope(db_url) as s:
        fid = row_id(s.exec(select(Finding).where(Finding.rule == "TEXT-TABLE")).one())
        review_finding(s, fid, "dismissed", "15项为受理数，已与单位核实")
    _store(db_url, tmp_path, text + "\n", None)  # a new version with the same problem
    with session_scope(db_url) as s:
        row = s.get_one(Finding, fid)
        assert (row.state, row.review_comment) == ("dismissed", "15项为受理数，已与单位核实")


def test_missing_then_published_late(db_url: str, tmp_path: Path) -> None:
    _setup(db_url)
    rules = RegistrySettings()
    after_deadline = datetime(2025, 2, 5, 2, 0, tzinfo=UTC)
    _crawled(db_url)  # the column was read in full and held no report
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, after_deadline, rules)
        assert verdict.verdict.status == "missing"
    with session_scope(db_url) as s:
        check_deadlines(s, 2024, after_deadline, rules)  # a re-run adds nothing
    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    _store(db_url, tmp_path, text, datetime(2025, 2, 10, 9, 0))
    with session_scope(db_url) as s:
        (verdict,) = check_deadlines(s, 2024, datetime(2025, 2, 11, 2, 0, tzinfo=UTC), rules)
    assert (verdict.verdict.status, verdict.verdict.days_late) == ("late", 10)
    states = _open_rules(db_url)
    assert states["MISSING"] == "resolved" and states["LATE"] == "open"
    with session_scope(db_url) as s:
        alerts = s.exec(select(Alert).order_by(col(Alert.id))).all()
    kinds = [a.kind for a in alerts]
    assert kinds.count("missing") == 1 and kinds.count("published") == 1 and kinds.count("late") == 1
    published = next(a for a in alerts if a.kind == "published")
    assert "已发布" in published.subject and "10" in published.subject


def test_parse_path_used_by_check_keeps_seed_identity() -> None:
    assert parse_path(seed_path("zhanhe-yingji-2024.txt")).agency == "湛河区应急管理局"


def test_end_of_run_reads_dates_and_links_not_parsed_reports(
    db_url: str, tmp_path: Path, monkeypatch
) -> None:
    """The deadline check, the compliance rows and the findings artifact cover every agency of a
    run; a stored report's cells (its whole parsed report) are not theirs to read."""
    from sqlalchemy import event

    from flows import artifacts
    from models.db import get_engine
    from nianbao.reporting.compliance import compliance_rows
    from nianbao.runtime.settings import Settings

    _setup(db_url)
    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    _store(db_url, tmp_path, text, None)  # the first version has no page date: first seen counts
    _store(db_url, tmp_path, text + "\n", datetime(2025, 2, 10, 9, 0))
    published: list[str] = []
    monkeypatch.setattr(artifacts, "create_markdown_artifact", lambda **kw: published.append(kw["markdown"]))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lower())

    engine = get_engine(db_url)
    event.listen(engine, "before_cursor_execute", record)
    try:
        now = datetime(2025, 3, 1, tzinfo=UTC)
        with session_scope(db_url) as s:
            (deadline,) = check_deadlines(s, 2024, now, RegistrySettings())
            (row,) = compliance_rows(s, 2024, now, RegistrySettings())
        since = datetime(2000, 1, 1, tzinfo=UTC)
        artifacts.publish_findings_artifact(
            Settings(database_url=db_url, data_dir=tmp_path), 2024, "x", since, ["zhanhe-yingji"]
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert deadline.verdict.date_source == "first_seen" and row.date_source == "first_seen"
    assert "TEXT-TABLE" in published[0] and "(http://x/r.html)" in published[0]
    assert statements and not [st for st in statements if "report.cells" in st]
