"""The crawl of one agency: portal → scraper → document → parser → report → checks →
findings → alerts (pending). Prefect flows call `monitor_agency`; it holds no Prefect code, so
the CLI, the tests and the benchmarks run exactly the same logic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from sqlmodel import Session, select

from models import queries
from models.db import session_scope
from models.tables import Agency, Jurisdiction, Report, row_id, utcnow
from nianbao.crawl.cache import load_crawl_cache, save_crawl_cache, stored_validators
from nianbao.crawl.context import check_context
from nianbao.crawl.lookup import resolve_agency_and_district
from nianbao.deadlines.health import FAILED, record_health
from nianbao.deadlines.watch import in_deadline_season
from nianbao.runtime.settings import Settings
from nianbao.store.rawstore import store_raw
from nianbao.store.record import (
    FetchedBytes,
    record_check_findings,
    record_document,
    record_report,
    record_unfetched_report,
)
from nianbao.store.registry import RegistrySettings
from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.checks.base import Finding as CheckFinding
from reports.checks.readability import readability, unreadable_finding
from reports.model import ParsedReport
from reports.parse import parse_document
from reports.parse.limits import OcrBounds
from reports.parse.sniff import sniff
from scrapers.blocking import looks_like_challenge
from scrapers.conditional import CrawlCache
from scrapers.discover import DiscoveredReport, discover, fetch_report_document
from scrapers.fetcher import Fetcher, FetchError
from scrapers.images import image_fetcher
from scrapers.titles import agency_matches

log = logging.getLogger("nianbao.crawl.service")


@dataclass
class AgencyOutcome:
    agency: str
    outcome: str  # ok | partial | unreachable | blocked | no_entry | error
    detail: str = ""
    reports_found: int = 0
    new_versions: int = 0
    unchanged: int = 0
    new_findings: int = 0
    resolved_findings: int = 0
    errors: list[str] = field(default_factory=list)
    # Every column page (and every list entry that might be a report) was read: "not found"
    # may be said only then (see `DiscoveryResult.complete`).
    complete: bool = False
    unreadable: int = 0  # reports found whose file could not be fetched or read
    blocked_documents: int = 0  # report files (or articles) answered by a challenge
    unattributed: int = 0  # untitled reports on a shared column, naming no unit
    # entry URL -> articles over the per-run cap (NIANBAO_MAX_ARTICLES_PER_COLUMN), read next run
    deferred_articles: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _parse_safely(
    content: bytes,
    content_type: str | None,
    url: str,
    fetch_image: Callable[[str], bytes | None] | None = None,
    base_url: str | None = None,
    ocr: OcrBounds | None = None,
    max_pages: int | None = None,
) -> tuple[ParsedReport, str | None]:
    """The parser never should raise; if it does anyway, the run goes on, and the reason the
    version could not be read is its one 「无法读取」 finding (the monitor's fault, not the report's).

    `fetch_image` lets the parser fetch an HTML report's <img> for OCR (tables published as images)."""
    try:
        report = parse_document(
            content,
            content_type=content_type,
            filename=url,
            fetch_image=fetch_image,
            base_url=base_url,
            ocr=ocr,
            max_pages=max_pages,
        )
        return report, None
    except Exception as exc:  # a parser bug must not stop the monitoring of other agencies
        log.exception("parser crashed on %s", url)
        return ParsedReport(), f"解析程序读取该文件时出错（{type(exc).__name__}）"


def touch_documents(session: Session, urls: list[str]) -> None:
    """The newest stored version of each URL was seen again (its 304, or its unchanged column):
    one UPDATE per URL, no rows loaded."""
    if not urls:
        return
    now = utcnow()
    for url in dict.fromkeys(urls):
        session.execute(queries.TOUCH_NEWEST_DOCUMENT, params={"seen_url": url, "seen_at": now})


@dataclass
class AgencyWork:
    """One agency's crawl: the agency's session (one per agency; committed whenever the portal
    or the parser comes next, so no connection or write lock is held across them) and what the
    crawl collects on its way."""

    session: Session
    settings: Settings
    fetcher: Fetcher
    agency: Agency
    outcome: AgencyOutcome
    hosts: list[str]
    touched: list[str] = field(default_factory=list)  # URLs whose stored version was seen again
    _jurisdiction: Jurisdiction | None = field(default=None, repr=False)

    @property
    def agency_id(self) -> int:
        return row_id(self.agency)

    def jurisdiction(self) -> Jurisdiction:
        """Loaded once and held: the session's identity map keeps a row only while something
        holds it (each call loaded it again), and the registry does not change during a crawl."""
        if self._jurisdiction is None:
            self._jurisdiction = self.session.get_one(Jurisdiction, self.agency.jurisdiction_id)
        return self._jurisdiction

    def see_database_now(self) -> None:
        """Forget what the session read of reports, documents and findings (another run may
        have written them meanwhile); the agency and its district stay (registry rows)."""
        for obj in list(self.session.identity_map.values()):
            if not isinstance(obj, (Agency, Jurisdiction)):
                self.session.expire(obj)


def process_discovered(
    work: AgencyWork,
    found: DiscoveredReport,
    validators: dict[str, tuple[str | None, str | None]] | CrawlCache | None = None,
) -> None:
    """Fetch one discovered report, keep its bytes, parse, check and record it."""
    s, settings, outcome, agency_id = work.session, work.settings, work.outcome, work.agency_id
    result = fetch_report_document(found, work.fetcher, work.hosts, validators=validators)
    if isinstance(result, FetchError):
        outcome.errors.append(f"{result.detail}：{result.url or found.url}")
        record_unfetched(work, found, result)
        return
    if result.not_modified:  # 304: the stored version is still current
        work.touched.append(result.url)
        outcome.unchanged += 1
        return
    fetched = FetchedBytes(
        url=result.url,  # the URL actually fetched (article or attachment): its validators belong to it
        content=result.content,
        final_url=result.final_url,
        status=result.status,
        content_type=result.content_type,
        etag=result.etag,
        last_modified=result.last_modified,
    )
    stored = store_raw(settings.raw_path, fetched.content)  # kept before anything can fail on them
    digest = stored[0]
    # Parse and check outside any write transaction: SQLite has one writer at a time, and a
    # writer that parsed while holding the lock made every other thread wait behind it (beyond
    # the busy timeout on a loaded machine: "database is locked").
    known, current = _versions_in_play(s, agency_id, found.year, digest)
    if not known:
        ctx = check_context(s, work.agency, found.year, work.jurisdiction())
    s.commit()  # nothing held while the parser works (OCR may take minutes)
    if not known:
        images = image_fetcher(work.fetcher, work.hosts, referer=result.final_url)
        parsed, crash = _parse_safely(
            fetched.content,
            fetched.content_type,
            found.url,
            images,
            base_url=result.final_url,
            ocr=OcrBounds(settings.ocr_max_pages, settings.ocr_page_seconds),
            max_pages=settings.pdf_max_pages,
        )
        if parsed.year is None:
            parsed.year = found.year
        if parsed.agency is None:
            parsed.agency = found.agency
        seen = readability(parsed)
        if crash or not seen.readable:
            if seen.not_a_report and _challenge(fetched):
                outcome.blocked_documents += 1
                outcome.errors.append(f"返回人机验证页面，未返回报告：{fetched.url}")
                document, _ = record_document(
                    s,
                    agency_id=agency_id,
                    fetched=fetched,
                    raw_root=settings.raw_path,
                    role="blocked",
                    stored=stored,
                )
                record_unfetched(work, found, None, document_id=document.id)
                return
            reason = crash or seen.reason
            findings = [unreadable_finding(reason, url=found.url, detail={"sha256": digest})]
        else:
            findings = _checks(parsed, ctx, current)
        readable = parsed if not (crash or not seen.readable) else None
        work.see_database_now()  # the write below sees the database as it is now, not as before the parse
    document, _ = record_document(
        s, agency_id=agency_id, fetched=fetched, raw_root=settings.raw_path, stored=stored
    )
    if known:
        outcome.unchanged += 1
        s.commit()
        return
    agency = work.agency
    recorded = record_report(
        s,
        agency=agency,
        year=found.year,
        parsed=parsed,
        document=document,
        url=found.url,
        title=found.title,
        published_at=found.published_at,
        published_at_source=found.published_at_source,
        agency_source=found.agency_source,
    )
    if not recorded.created:  # another run stored this version meanwhile
        outcome.unchanged += 1
        s.commit()
        return
    report, replaced = recorded.report, recorded.replaced
    outcome.new_versions += 1
    if readable is None:
        outcome.unreadable += 1
        report.parse_status = "unreadable"
        s.add(report)
    elif _id_of(replaced) != _id_of(current):  # another run replaced it meanwhile
        findings = _checks(parsed, ctx, replaced)
    counts = record_check_findings(
        s,
        agency=agency,
        jurisdiction=work.jurisdiction(),
        year=found.year,
        report=report,
        findings=findings,
        parsed=readable,
        level=ctx.agency_level,
    )
    s.commit()  # the version is recorded before the next report is fetched
    outcome.new_findings += counts["new"]
    outcome.resolved_findings += counts["resolved"]


def _challenge(fetched: FetchedBytes) -> bool:
    """An HTML answer that only asks the visitor to pass a verification (parsed as no report)."""
    return sniff(fetched.content) == "html" and looks_like_challenge(
        fetched.content[:65536].decode("utf-8", errors="ignore")
    )


def record_unfetched(
    work: AgencyWork,
    found: DiscoveredReport,
    error: FetchError | None,
    *,
    document_id: int | None = None,
) -> None:
    """A report seen on the column whose file could not be had: it is published (with the date
    the list or the URL gives), not missing. Recorded once per agency-year as a version without
    content (parse_status "unfetched"), with one 「无法读取」 finding, and what the server sent
    instead kept as raw bytes. Nothing is recorded when a version is stored already (the stored
    one stands); a challenge (`blocked`) gives no finding: the portal's health record says it."""
    s, outcome = work.session, work.outcome
    blocked = error is None or error.kind == "blocked"
    if blocked:
        outcome.blocked_documents += int(error is not None)
    if _any_version(s, work.agency_id, found.year):
        s.commit()
        return
    if error is not None and error.content:
        document, _ = record_document(
            s,
            agency_id=work.agency_id,
            fetched=FetchedBytes(
                url=error.url or found.url, content=error.content, status=error.evidence.get("status")
            ),
            raw_root=work.settings.raw_path,
            role="failed",
        )
        document_id = document.id
    report = record_unfetched_report(
        s,
        agency=work.agency,
        year=found.year,
        url=found.url,
        title=found.title,
        published_at=found.published_at,
        published_at_source=found.published_at_source,
        agency_source=found.agency_source,
        document_id=document_id,
    )
    outcome.unreadable += 1
    if error is not None and not blocked:
        reason = f"报告文件无法获取（{error.detail}）"
        finding = unreadable_finding(
            reason, url=found.url, detail={"fetch_error": error.kind, "fetched_url": error.url or found.url}
        )
        counts = record_check_findings(
            s,
            agency=work.agency,
            jurisdiction=work.jurisdiction(),
            year=found.year,
            report=report,
            findings=[finding],
            parsed=None,
        )
        outcome.new_findings += counts["new"]
    s.commit()


def _any_version(session: Session, agency_id: int, year: int) -> bool:
    return (
        session.exec(select(Report.id).where(Report.agency_id == agency_id, Report.year == year)).first()
        is not None
    )  # once per report that could not be fetched: not worth a prepared statement


def _versions_in_play(session: Session, agency_id: int, year: int, digest: str) -> tuple[bool, Report | None]:
    """In one query: whether this exact content is a stored version of the agency's report
    already, and the current version a new one would replace (its cells read when needed)."""
    params = {"agency_id": agency_id, "year": year, "digest": digest}
    rows = session.exec(queries.CURRENT_OR_WITH_CONTENT_LEAN, params=params).all()
    return any(r.content_sha256 == digest for r in rows), next((r for r in rows if r.is_current), None)


def _id_of(report: Report | None) -> int | None:
    return report.id if report is not None else None


def _checks(parsed: ParsedReport, ctx: CheckContext, replaced: Report | None) -> list[CheckFinding]:
    """The checks of a new version, compared with the version it replaces when there is one."""
    ctx.earlier_version = ParsedReport.model_validate(replaced.cells) if replaced and replaced.cells else None
    return run_checks(parsed, ctx)


def monitor_agency(
    settings: Settings,
    fetcher: Fetcher,
    agency_ref: str,
    *,
    years: set[int] | None = None,
    run_id: int | None = None,
    health_alert_after: int = 3,
    read_in_full: bool = False,
    rules: RegistrySettings | None = None,
) -> AgencyOutcome:
    """Crawl one agency's entry URLs and record every report of the wanted years found there.

    One database session for the agency: its reads first, then the portal (the session holding
    no connection meanwhile), each new version recorded as it is read, the crawl's own rows
    last. An unchanged agency costs a handful of statements.

    `read_in_full`: do not let an unchanged column page stand for its articles and attachments
    (a manual recrawl: the agency says something changed); every request is still conditional."""
    with session_scope(settings.db_url) as s:
        agency, district = resolve_agency_and_district(s, agency_ref)
        if agency.http_fallback:  # every page and file of the agency may fall back, not the column alone
            fetcher = fetcher.with_http_fallback()
        outcome = AgencyOutcome(agency=agency_ref, outcome="ok")
        hosts = list(agency.allowed_hosts or [])
        work = AgencyWork(s, settings, fetcher, agency, outcome, hosts, _jurisdiction=district)
        s.commit()  # the portal comes next
        cache = _crawl(work, years, read_in_full)
        save_crawl_cache(settings, work.agency_id, cache)
        touch_documents(s, work.touched)
        if run_id is not None:
            _record_crawl(work, run_id, years, health_alert_after, rules)
    log.info(
        "agency %s: %s, %d report(s) found, %d new version(s), %d unchanged, %d new finding(s)",
        agency.name,
        outcome.outcome,
        outcome.reports_found,
        outcome.new_versions,
        outcome.unchanged,
        outcome.new_findings,
    )
    return outcome


def _crawl(work: AgencyWork, years: set[int] | None, read_in_full: bool) -> CrawlCache:
    """Discover the agency's reports on its columns and process each of the wanted years; the
    crawl cache to save for the next crawl."""
    agency, outcome, settings = work.agency, work.outcome, work.settings
    name, short = agency.name, list(agency.short_names or [])
    entries, hosts = list(agency.entry_urls or []), work.hosts
    own = set(agency.own_entries or [])
    adapter = None if agency.adapter in (None, "auto") else agency.adapter
    if not entries:
        outcome.outcome, outcome.detail = "no_entry", "登记表中没有该单位的年报栏目地址"
    blind: list[FetchError] = []  # errors behind which a report could hide
    found: list[DiscoveredReport] = []
    entry_of: dict[int, str] = {}  # id(report) -> the entry it was found under
    # Column pages answer 304 when unchanged (the cache keeps their validators and what they
    # listed); documents are asked conditionally with what the Document table stores.
    cache = load_crawl_cache(settings, work.agency_id)
    cache.trust_unchanged_entry, cache.trust_days = not read_in_full, settings.crawl_trust_days
    cache.stored = stored_validators(work.session, agency.jurisdiction_id, hosts)
    cap = None if read_in_full else settings.max_articles_per_column
    for entry in entries:
        result = discover(
            entry, work.fetcher, allowed_hosts=hosts, validators=cache, adapter=adapter, max_articles=cap
        )
        if result.deferred:  # not read this run: a report may be among them
            outcome.deferred_articles[entry] = len(result.deferred)
        outcome.errors.extend(f"{e.detail}：{e.url or entry}" for e in result.errors)
        blind.extend(result.blind_spots)
        found.extend(result.reports)
        entry_of.update((id(r), entry) for r in result.reports)
    mine = []
    for d in found:
        if d.year is None or (years is not None and d.year not in years):
            continue
        if agency_matches(d.agency or d.title, name, short):
            mine.append(d)
        elif not d.agency and entry_of.get(id(d)) in own:  # its own column, the title names no unit
            d.agency, d.agency_source = name, "own_column"
            mine.append(d)
        elif not d.agency:
            outcome.unattributed += 1
            log.info("%s: report naming no unit on a shared column, not attributed: %s", name, d.url)
    outcome.complete = bool(entries) and not blind and not outcome.deferred_articles
    if entries and blind:
        kinds = {e.kind for e in blind}
        outcome.outcome = "blocked" if "blocked" in kinds else ("partial" if found else "unreachable")
        outcome.detail = "；".join(f"{e.detail}：{e.url}" for e in blind)[:1000]
    outcome.reports_found = len(mine)
    failed_entries: set[str] = set()
    for d in mine:
        before = len(outcome.errors)
        try:
            process_discovered(work, d, cache)
        except Exception as exc:  # one bad report must not hide the others
            log.exception("failed to process %s", d.url)
            work.session.rollback()
            outcome.errors.append(f"{d.url}: {type(exc).__name__}: {exc}")
        if len(outcome.errors) > before:
            failed_entries.add(entry_of.get(id(d), ""))
    for entry in failed_entries:  # not recorded: the next crawl must read that column again
        cache.entries.pop(entry, None)
        cache.validators.pop(entry, None)
    if outcome.outcome == "ok" and outcome.blocked_documents:
        outcome.outcome = "blocked"
        outcome.detail = "年报文件返回人机验证页面（疑似反爬），未能读取"
    return cache


def _record_crawl(
    work: AgencyWork, run_id: int, years: set[int] | None, alert_after: int, rules: RegistrySettings | None
) -> None:
    """The crawl's row in its run, and the portal's health (an alert after `alert_after` failed
    crawls in a row, and when it works again)."""
    s, outcome, agency = work.session, work.outcome, work.agency
    crawl = {
        "crawl_run_id": run_id,
        "agency_id": work.agency_id,
        "outcome": outcome.outcome,
        "complete": outcome.complete,
        "detail": outcome.detail,
        "evidence": {"errors": outcome.errors[:20], "deferred_articles": outcome.deferred_articles},
        "reports_found": outcome.reports_found,
        "at": utcnow(),
    }
    s.connection().execute(queries.INSERT_AGENCY_CRAWL, crawl)  # a row nothing here reads as an object
    jurisdiction = work.jurisdiction()
    # the season only matters to a failed crawl (it holds the health alert back)
    season = (
        bool(years)
        and outcome.outcome in FAILED
        and in_deadline_season(s, agency, jurisdiction, years or set(), utcnow(), rules or RegistrySettings())
    )
    record_health(s, agency, jurisdiction, alert_after=alert_after, in_deadline_season=season)
