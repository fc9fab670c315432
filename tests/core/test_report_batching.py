"""The compliance matrix reads what it needs for all agencies at once: the same rows as the
per-agency rules say, in a number of queries that does not grow with the agencies."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event
from sqlmodel import select

from models.db import get_engine, migrate, session_scope
from models.tables import Agency, AgencyCrawl, CrawlRun, Finding, Jurisdiction, Report, row_id
from nianbao.deadlines.calendar import Status
from nianbao.deadlines.facts import year_facts
from nianbao.deadlines.watch import check_deadlines
from nianbao.reporting.compliance import compliance_rows
from nianbao.store.registry import RegistrySettings

NOW = datetime(2025, 3, 1, tzinfo=UTC)  # the 2024 department deadline (2025-01-31) has passed


def _agencies(url: str, n: int) -> list[int]:
    with session_scope(url) as s:
        j = Jurisdiction(code="d", name="某区")
        s.add(j)
        s.flush()
        agencies = [Agency(code=f"a{i:02d}", name=f"机关{i}", jurisdiction_id=row_id(j)) for i in range(n)]
        s.add_all(agencies)
        s.flush()
        return [a.id for a in agencies]  # type: ignore[misc]


def _report(s, agency_id: int, version: int, published: datetime | None, first_seen: datetime) -> None:
    s.add(
        Report(
            agency_id=agency_id, year=2024, version=version, is_current=True, url=f"http://x/{agency_id}/v{version}",
            content_sha256=f"{agency_id}-{version}", published_at=published,
            published_at_source="meta:PubDate" if published else None, first_seen=first_seen,
        )
    )  # fmt: skip


def _crawl(s, run_id: int | None, agency_id: int, complete: bool, outcome: str = "ok") -> None:
    s.add(AgencyCrawl(crawl_run_id=run_id or 0, agency_id=agency_id, outcome=outcome, complete=complete))


def test_rows_follow_the_first_version_the_latest_crawl_and_an_open_missing_finding(db_url: str) -> None:
    a = _agencies(db_url, 6)
    with session_scope(db_url) as s:
        run1, run2 = CrawlRun(), CrawlRun()
        s.add_all([run1, run2])
        s.flush()
        # a0: v1 on time (page date), v2 later: the first version's date and address count
        _report(s, a[0], 2, datetime(2025, 2, 20, tzinfo=UTC), datetime(2025, 2, 21, tzinfo=UTC))
        _report(s, a[0], 1, datetime(2025, 1, 20, tzinfo=UTC), datetime(2025, 1, 21, tzinfo=UTC))
        # a1: no page date: first seen after the deadline, late by that
        _report(s, a[1], 1, None, datetime(2025, 2, 10, tzinfo=UTC))
        # a2: nothing found, columns read in full by the latest crawl: missing
        _crawl(s, run1.id, a[2], complete=False, outcome="unreachable")
        _crawl(s, run2.id, a[2], complete=True)
        # a3: nothing found, the latest crawl could not read the columns: could not check
        _crawl(s, run1.id, a[3], complete=True)
        _crawl(s, run2.id, a[3], complete=False, outcome="unreachable")
        # a4: like a3, but an earlier full reading found it missing: that finding stands
        _crawl(s, run2.id, a[4], complete=False, outcome="blocked")
        s.add(
            Finding(
                agency_id=a[4],
                year=2024,
                rule="MISSING",
                severity="error",
                message="未发布",
                fingerprint="m4",
            )
        )
        # a5: never crawled
    with session_scope(db_url) as s:
        rows = {r.agency_code: r for r in compliance_rows(s, 2024, NOW, RegistrySettings())}
    assert rows["a00"].status == Status.ON_TIME and rows["a00"].published_on == "2025-01-20"
    assert rows["a00"].report_url == f"http://x/{a[0]}/v1" and rows["a00"].date_source == "meta:PubDate"
    assert rows["a01"].status == Status.LATE and rows["a01"].date_source == "first_seen"
    assert rows["a01"].published_on == "2025-02-10"
    assert rows["a02"].status == Status.MISSING and rows["a02"].portal == "ok"
    assert rows["a03"].status == Status.UNVERIFIABLE and rows["a03"].portal == "unreachable"
    assert rows["a04"].status == Status.MISSING and rows["a04"].portal == "blocked"
    assert rows["a05"].status == Status.UNVERIFIABLE and rows["a05"].portal == "not_crawled"
    assert rows["a05"].report_url is None


def test_year_facts_gives_every_asked_agency_an_entry(sqlite_url: str) -> None:
    a = _agencies(sqlite_url, 3)
    with session_scope(sqlite_url) as s:
        facts = year_facts(s, a, 2024)
    assert set(facts) == set(a) and all(f.crawl is None and f.published_at is None for f in facts.values())


def _statements(url: str, n: int, work) -> int:
    """SQL statements `work(session)` sends with `n` agencies in the database, each with a report,
    findings and two crawls."""
    migrate(url)
    ids = _agencies(url, n)
    with session_scope(url) as s:
        run = CrawlRun()
        s.add(run)
        s.flush()
        for k, agency_id in enumerate(ids):
            _report(s, agency_id, 1, datetime(2025, 1, 10, tzinfo=UTC), datetime(2025, 1, 11, tzinfo=UTC))
            s.add(
                Finding(
                    agency_id=agency_id,
                    year=2024,
                    rule="T3",
                    severity="error",
                    message="m",
                    fingerprint=f"f{k}",
                )
            )
            _crawl(s, run.id, agency_id, complete=True)
            _crawl(s, run.id, agency_id, complete=k % 2 == 0)
    count = 0

    def tick(*_args) -> None:
        nonlocal count
        count += 1

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", tick)
    try:
        with session_scope(url) as s:
            work(s)
    finally:
        event.remove(engine, "before_cursor_execute", tick)
    return count


def test_the_matrix_takes_as_many_queries_for_forty_agencies_as_for_three(tmp_path) -> None:
    def matrix(s) -> None:
        assert compliance_rows(s, 2024, NOW, RegistrySettings())

    few = _statements(f"sqlite:///{tmp_path / 'few.db'}", 3, matrix)
    many = _statements(f"sqlite:///{tmp_path / 'many.db'}", 40, matrix)
    assert few == many and few <= 6


def test_the_deadline_check_reads_each_agencys_facts_in_one_batch(tmp_path) -> None:
    """All on time: nothing to write, so the queries are the reads alone, the same for 3 or 40."""

    def check(s) -> None:
        results = check_deadlines(s, 2024, NOW, RegistrySettings())
        assert {r.verdict.status for r in results} == {Status.ON_TIME}

    few = _statements(f"sqlite:///{tmp_path / 'few.db'}", 3, check)
    many = _statements(f"sqlite:///{tmp_path / 'many.db'}", 40, check)
    assert few == many


def test_the_deadline_check_still_resolves_missing_once_the_report_appears(sqlite_url: str) -> None:
    (agency_id,) = _agencies(sqlite_url, 1)
    with session_scope(sqlite_url) as s:
        s.add(
            Finding(
                agency_id=agency_id,
                year=2024,
                rule="MISSING",
                severity="error",
                message="未发布",
                fingerprint="m",
            )
        )
        _report(s, agency_id, 1, datetime(2025, 2, 5, tzinfo=UTC), datetime(2025, 2, 5, tzinfo=UTC))
    with session_scope(sqlite_url) as s:
        (result,) = check_deadlines(s, 2024, NOW, RegistrySettings())
    with session_scope(sqlite_url) as s:
        missing = s.exec(select(Finding).where(Finding.rule == "MISSING")).one()
        late = s.exec(select(Finding).where(Finding.rule == "LATE")).one()
    assert result.verdict.status == Status.LATE and missing.state == "resolved" and late.state == "open"
