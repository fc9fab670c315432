"""The pipeline keeps a crawl cache per agency: a second crawl of an unchanged portal sends only
conditional requests and downloads no report again; a newly published report is still found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import session_scope
from models.tables import Document, Finding, Report
from nianbao.crawl import service
from nianbao.runtime.settings import get_settings
from nianbao.store.rawstore import sha256_of
from nianbao.store.registry import Registry, sync_registry
from replicas.families import hanweb
from replicas.families.hanweb import article_path
from replicas.families.units import Pub, make_pubs
from replicas.pdf import cached_pdf
from replicas.server import ReplicaServer, Response
from replicas.synthetic import Figures, synthetic_report
from tests.fetching import quick_fetcher

NAME = "缓存区财政局"


def _column(years: tuple[int, ...]) -> hanweb.Column:
    pubs = [p for p in make_pubs("缓存区", 2, years, lookalikes=False, pdf_every=2) if p.agency == NAME]
    return hanweb.Column(7001, f"{NAME}年报", sorted(pubs, key=lambda p: p.date, reverse=True))


def _crawl(settings, server: ReplicaServer, years: set[int], **kw) -> service.AgencyOutcome:
    with quick_fetcher(retries=0, allow_private_hosts=True) as fetcher:
        return service.monitor_agency(settings, fetcher, "cache-caizheng", years=years, **kw)


def _registry(server: ReplicaServer) -> Registry:
    return Registry.model_validate(
        {
            "jurisdictions": [
                {
                    "code": "cache-district",
                    "name": "缓存区",
                    "agencies": [
                        {
                            "code": "cache-caizheng",
                            "name": NAME,
                            "kind": "department",
                            "entry_urls": [server.url("/hc/col/col7001/index.html")],
                            "allowed_hosts": ["127.0.0.1"],
                        }
                    ],
                }
            ]
        }
    )


def test_second_crawl_is_conditional_and_sees_a_new_report(db_url: str, tmp_path: Path, monkeypatch) -> None:
    routes, _ = hanweb.build("/hc", "缓存区", [_column((2022, 2023))])
    with ReplicaServer(routes) as server:
        monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
        monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            settings = get_settings()
            registry = _registry(server)
            with session_scope(db_url) as s:
                sync_registry(s, registry)

            first = _crawl(settings, server, {2022, 2023})
            assert first.outcome == "ok" and first.reports_found == 2 and first.new_versions == 2, first
            assert list((tmp_path / "crawl-cache").glob("*.json")), "no crawl cache was saved"
            with session_scope(db_url) as s:
                docs_before = len(s.exec(select(Document)).all())
                reports_before = len(s.exec(select(Report)).all())

            # Unchanged portal: only conditional requests, answered 304, no body, nothing recorded.
            server.requests.clear()
            second = _crawl(settings, server, {2022, 2023})
            log = [r for r in server.requests if r.path != "/robots.txt"]
            assert second.outcome == "ok" and second.reports_found == 2, second
            assert second.new_versions == 0 and second.unchanged == 2, second
            assert log, "the second crawl did not look at the portal"
            for r in log:
                assert "if-none-match" in r.headers or "if-modified-since" in r.headers, r
                assert r.status == 304 and r.bytes == 0, r
            with session_scope(db_url) as s:
                assert len(s.exec(select(Document)).all()) == docs_before
                assert len(s.exec(select(Report)).all()) == reports_before

            # A new report is published: the column page changes and the new report is recorded,
            # the old ones are not downloaded again.
            new_routes, _ = hanweb.build("/hc", "缓存区", [_column((2022, 2023, 2024))])
            server.routes.clear()
            server.routes.update(new_routes)
            server.requests.clear()
            third = _crawl(settings, server, {2022, 2023, 2024})
            assert third.outcome == "ok" and third.reports_found == 3, third
            assert third.new_versions == 1 and third.unchanged == 2, third
            with session_scope(db_url) as s:
                years = sorted(r.year for r in s.exec(select(Report)).all())
            assert years == [2022, 2023, 2024]
            bodies = [r for r in server.requests if r.status == 200 and r.bytes > 0 and "/art/" in r.path]
            assert bodies and all("/art/2025/" in r.path for r in bodies), bodies  # the 2024 report only

            # Same data dir, another (empty) database: the cache of the first must not make this
            # one believe the reports are "unchanged" — they are found and recorded.
            other = f"sqlite:///{tmp_path / 'other.db'}"
            from models.db import migrate

            migrate(other)
            with session_scope(other) as s:
                sync_registry(s, registry)
            monkeypatch.setenv("NIANBAO_DATABASE_URL", other)
            get_settings.cache_clear()
            fresh = _crawl(get_settings(), server, {2022, 2023, 2024})
            assert fresh.new_versions == 3 and fresh.unchanged == 0, fresh
        finally:
            get_settings.cache_clear()


def _one_pdf_report(*, validators: bool = True) -> tuple[Pub, dict, str]:
    """The agency's 2023 report as a PDF attachment: (pub, routes, the PDF's path)."""
    (pub,) = [p for p in make_pubs("缓存区", 2, (2023,), lookalikes=False, pdf_every=1) if p.agency == NAME]
    assert pub.kind == "pdf"
    routes, _ = hanweb.build("/hc", "缓存区", [hanweb.Column(7001, f"{NAME}年报", [pub])])
    pdf_path = f"/hc/attach/0/{pub.file_hex}.pdf"
    pdf = routes[pdf_path]
    assert isinstance(pdf, Response)
    routes[pdf_path] = replace(pdf, conditional=validators)
    return pub, routes, pdf_path


def _upload_corrected(server: ReplicaServer, pub: Pub, pdf_path: str, published: int) -> bytes:
    """A corrected PDF (other figures) at the same address, a day later than the last."""
    text = synthetic_report(NAME, 2023, Figures(published=published, licences=1, penalties=1), "缓存区")
    body = cached_pdf(text, pub.title)
    old = server.routes[pdf_path]
    assert isinstance(old, Response)
    server.routes[pdf_path] = replace(old, body=body, last_modified=(old.last_modified or 0) + 86400)
    return body


def _current_digest(db_url: str) -> str:
    with session_scope(db_url) as s:
        report = s.exec(select(Report).where(Report.year == 2023, Report.is_current)).one()
        return s.get_one(Document, report.document_id).sha256


@contextmanager
def _registered_portal(routes: dict, db_url: str, tmp_path: Path, monkeypatch) -> Iterator[ReplicaServer]:
    """The portal served, the settings pointing at `db_url`, the agency registered."""
    with ReplicaServer(routes) as server:
        monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
        monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            with session_scope(db_url) as s:
                sync_registry(s, _registry(server))
            yield server
        finally:
            get_settings.cache_clear()


def test_a_pdf_replaced_under_an_unchanged_article_is_found(db_url: str, tmp_path: Path, monkeypatch) -> None:
    """A corrected report uploaded under the same link: the column page and the article are
    unchanged. Within the trust window a scheduled crawl trusts the column (one 304); a manual
    recrawl, and a scheduled crawl once the window has passed, ask the article and then its PDF
    again and record the corrected version."""
    pub, routes, pdf_path = _one_pdf_report()
    with _registered_portal(routes, db_url, tmp_path, monkeypatch) as server:
        first = _crawl(get_settings(), server, {2023})
        assert first.new_versions == 1, first
        assert _current_digest(db_url) == sha256_of(routes[pdf_path].body)

        corrected = _upload_corrected(server, pub, pdf_path, 77)
        server.requests.clear()
        trusted = _crawl(get_settings(), server, {2023})
        assert trusted.new_versions == 0 and trusted.unchanged == 1, trusted
        asked = [(r.path, r.status) for r in server.requests if r.path != "/robots.txt"]
        assert asked == [("/hc/col/col7001/index.html", 304)], asked  # the window: nothing else

        server.requests.clear()
        manual = _crawl(get_settings(), server, {2023}, read_in_full=True)
        assert manual.new_versions == 1 and manual.unchanged == 0, manual
        assert _current_digest(db_url) == sha256_of(corrected)
        statuses = {r.path: r.status for r in server.requests}
        assert statuses[article_path("/hc", 7001, pub)] == 304  # the article is unchanged
        assert statuses[pdf_path] == 200  # its PDF is not

        # After the manual recrawl the column is trusted again; nothing new is recorded.
        again = _crawl(get_settings(), server, {2023})
        assert again.new_versions == 0 and again.unchanged == 1, again

        # Once the trust window has passed, a scheduled crawl reads the column in full.
        corrected = _upload_corrected(server, pub, pdf_path, 88)
        monkeypatch.setenv("NIANBAO_CRAWL_TRUST_DAYS", "0")
        get_settings.cache_clear()
        server.requests.clear()
        expired = _crawl(get_settings(), server, {2023})
        assert expired.new_versions == 1, expired
        assert _current_digest(db_url) == sha256_of(corrected)
        # ... and all of it conditionally: an unchanged PDF is answered 304 with no body.
        server.requests.clear()
        unchanged = _crawl(get_settings(), server, {2023})
        assert unchanged.new_versions == 0 and unchanged.unchanged == 1, unchanged
        assert {r.path: (r.status, r.bytes) for r in server.requests}[pdf_path] == (304, 0)


def test_a_replaced_pdf_without_validators_is_found_by_its_digest(
    db_url: str, tmp_path: Path, monkeypatch
) -> None:
    """A download servlet that sends neither ETag nor Last-Modified: a recrawl that reads in full
    fetches the file the report was read from again, whole, and tells an unchanged body (same
    digest, nothing new recorded) from a corrected one (a new version)."""
    pub, routes, pdf_path = _one_pdf_report(validators=False)
    with _registered_portal(routes, db_url, tmp_path, monkeypatch) as server:
        assert _crawl(get_settings(), server, {2023}).new_versions == 1

        server.requests.clear()
        same = _crawl(get_settings(), server, {2023}, read_in_full=True)
        assert same.new_versions == 0 and same.unchanged == 1, same
        pdf_asks = [r for r in server.requests if r.path == pdf_path]
        assert [(r.status, r.bytes > 0) for r in pdf_asks] == [(200, True)]  # whole: nothing to compare

        corrected = _upload_corrected(server, pub, pdf_path, 66)
        fixed = _crawl(get_settings(), server, {2023}, read_in_full=True)
        assert fixed.new_versions == 1, fixed
        assert _current_digest(db_url) == sha256_of(corrected)
        # compared with the version it replaced, whose stored cells are read back for it
        with session_scope(db_url) as s:
            (changed,) = s.exec(select(Finding).where(Finding.rule == "CHANGED-AFTER-PUBLICATION")).all()
        cells = changed.evidence["cells"]  # the correction set licences and penalties to 1
        assert cells and all(c["after"] == 1 != c["before"] for c in cells), changed.evidence


@pytest.mark.parametrize("garbage", ['{"documents": [1, 2, 3]}', '{"entries": {"x": ', "\x00\x01"])
def test_an_unreadable_crawl_cache_costs_a_full_reading_not_a_report(
    db_url: str, tmp_path: Path, monkeypatch, caplog, garbage: str
) -> None:
    """A cache file that cannot be read (wrong shape, cut short, not text) is ignored with a
    warning: the crawl reads everything again, conditionally, and loses no report."""
    _pub, routes, _pdf = _one_pdf_report()
    with _registered_portal(routes, db_url, tmp_path, monkeypatch) as server:
        assert _crawl(get_settings(), server, {2023}).new_versions == 1
        (path,) = (tmp_path / "crawl-cache").glob("*.json")
        path.write_text(garbage, encoding="utf-8")
        with caplog.at_level("WARNING"):
            again = _crawl(get_settings(), server, {2023})
        assert again.outcome == "ok" and again.reports_found == 1 and again.unchanged == 1, again
        assert any("unreadable crawl cache" in r.getMessage() for r in caplog.records)
        assert json.loads(path.read_text(encoding="utf-8"))["entries"]  # written afresh


def test_an_agency_is_one_session_and_an_unchanged_one_costs_a_few_statements(
    db_url: str, tmp_path: Path, monkeypatch
) -> None:
    """Each crawl of an agency (as a flow task runs it: with a run, so its crawl and health rows
    are written) uses one database session; an unchanged one reads the agency, touches the
    stored document, writes its crawl row and reads its health: no query per stored document
    of the district, and its crawl cache file is not written again."""
    from sqlalchemy import event
    from sqlmodel import Session

    from models.db import get_engine
    from nianbao.crawl.runs import start_run

    routes, _ = hanweb.build("/hc", "缓存区", [_column((2022, 2023))])
    with _registered_portal(routes, db_url, tmp_path, monkeypatch) as server:
        settings = get_settings()
        run_id = start_run(settings, trigger="test", scope="cache-district")
        sessions: list[int] = []
        statements: list[str] = []

        def began(session: Session, *_: object) -> None:
            sessions.append(id(session))

        def executed(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(statement)

        engine = get_engine(db_url)
        event.listen(Session, "after_begin", began)
        event.listen(engine, "before_cursor_execute", executed)
        try:
            first = _crawl(settings, server, {2022, 2023}, run_id=run_id)
            assert first.new_versions == 2, first
            assert len(set(sessions)) == 1, "the first crawl used more than one session"
            registry_reads = [
                q for q in statements if q.lstrip().startswith(("SELECT agency.id", "SELECT jurisdiction.id"))
            ]  # the agency and its district: read once, in one query, not again for each new version
            assert len(registry_reads) == 1 and "JOIN jurisdiction" in registry_reads[0], registry_reads
            (cache_file,) = (tmp_path / "crawl-cache").glob("*.json")
            written = cache_file.stat()

            sessions.clear()
            statements.clear()
            second = _crawl(settings, server, {2022, 2023}, run_id=run_id)
            assert second.unchanged == 2 and second.new_versions == 0, second
            assert len(set(sessions)) == 1, "the unchanged crawl used more than one session"
            assert len(statements) <= 7, statements
            assert not [
                q for q in statements if q.lstrip().upper().startswith("SELECT") and "document" in q.lower()
            ]
            again = cache_file.stat()
            assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
        finally:
            event.remove(Session, "after_begin", began)
            event.remove(engine, "before_cursor_execute", executed)
