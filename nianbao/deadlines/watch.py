"""MISSING / LATE / DUE-SOON / 无法核实 for every agency of a year, recorded with alerts.

For each agency and year the monitor knows one of three things: published (a report was
seen, even one whose file failed), not found on columns read in full, or could not check.
MISSING and DUE-SOON are said only on the second; the third gives 「无法核实」 once the deadline
is near or past, with the portal's error, and never 「未发布」. A MISSING finding is resolved by
the report's appearance, which is announced as 「已发布」 (with its delay); a report that was
late stays a LATE finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from alerts import kinds
from alerts.localtime import zh_date
from alerts.outbox import enqueue
from alerts.rules_zh import date_source_zh
from models.db import session_scope
from models.tables import Agency, AgencyCrawl, Jurisdiction, Report, row_id
from nianbao.deadlines.calendar import SHANGHAI, Status, Verdict
from nianbao.deadlines.facts import YearFacts, year_facts
from nianbao.deadlines.verdict import agency_verdict, dated_verdict
from nianbao.store.record import agency_payload, alert_tags, resolve_finding, upsert_finding
from nianbao.store.registry import RegistrySettings
from reports.checks.base import Finding as CheckFinding
from reports.checks.base import Severity


@dataclass
class AgencyDeadline:
    agency_code: str
    agency_name: str
    district: str
    verdict: Verdict


def first_publication(session: Session, agency_id: int, year: int) -> tuple[datetime | None, str | None]:
    """The earliest version's date: the page's own date, else when the crawler first saw it."""
    first = session.exec(
        select(Report.published_at, Report.published_at_source, Report.first_seen)
        .where(Report.agency_id == agency_id, Report.year == year)
        .order_by(col(Report.version))
        .limit(1)
    ).first()  # the dates only: a whole Report row carries its parsed report (cells) too
    if first is None:
        return None, None
    published_at, source, first_seen = first
    if published_at is not None:
        return published_at, source or "page"
    return first_seen.replace(tzinfo=UTC), "first_seen"  # stored as naive UTC


def _deadline_finding(rule: str, verdict: Verdict, year: int) -> CheckFinding:
    d = verdict.deadline
    if rule == "MISSING":
        message = (
            f"截至今日未发现{year}年度政府信息公开工作年度报告。法定期限为{zh_date(d.due)}"
            f"（{d.basis}），已逾期{verdict.days_late}天。"
        )
        severity = Severity.ERROR
    else:
        source = (
            date_source_zh("first_seen")
            if verdict.date_source == "first_seen"
            else f"发布日期取自{date_source_zh(verdict.date_source)}"
        )
        message = (
            f"{year}年度报告于{zh_date(verdict.published_on)}发布，晚于法定期限"
            f"{zh_date(d.due)}（{d.basis}）{verdict.days_late}天。{source}。"
        )
        severity = Severity.WARNING
    return CheckFinding(
        rule=rule,
        severity=severity,
        message=message,
        evidence={
            "deadline": d.due.isoformat(),
            "basis": d.basis,
            "published_on": verdict.published_on.isoformat() if verdict.published_on else None,
            "date_source": verdict.date_source,
            "days_late": verdict.days_late,
            "anchor": {"rule": rule, "year": year},
        },
    )


def _alert_fields(verdict: Verdict, now: datetime, entry_urls: list[str]) -> dict:
    """What the missing/late/published templates show (docs/alerts.md)."""
    return {
        "deadline": verdict.deadline.due.isoformat(),
        "basis": verdict.deadline.basis,
        "published_at": verdict.published_on.isoformat() if verdict.published_on else None,
        "published_at_source": date_source_zh(verdict.date_source) if verdict.published_on else None,
        "delay_days": verdict.days_late if verdict.status == Status.LATE else 0,
        "days_overdue": verdict.days_late if verdict.status == Status.MISSING else None,
        "checked_at": now.astimezone(SHANGHAI).date().isoformat(),
        "searched_urls": entry_urls,
    }


def failing_since(session: Session, agency_id: int) -> int | None:
    """The id of the first crawl of the agency's current run of incomplete crawls (None when the
    latest crawl read its columns in full): one 「无法核实」 episode, announced once."""
    crawls = session.exec(
        select(AgencyCrawl.id, AgencyCrawl.complete)
        .where(AgencyCrawl.agency_id == agency_id)
        .order_by(col(AgencyCrawl.id).desc())
        .limit(500)
    ).all()
    first = None
    for crawl_id, complete in crawls:
        if complete:
            break
        first = crawl_id
    return first


def check_agency_deadline(
    session: Session,
    agency: Agency,
    jurisdiction: Jurisdiction,
    year: int,
    now: datetime,
    rules: RegistrySettings,
    facts: YearFacts | None = None,
) -> AgencyDeadline:
    if facts is None:
        facts = year_facts(session, [row_id(agency)], year)[row_id(agency)]
    verdict = agency_verdict(session, agency, jurisdiction, year, now, rules, facts)
    deadline = verdict.deadline
    open_missing = facts.open_missing
    fields = _alert_fields(verdict, now, list(agency.entry_urls or []))
    if verdict.published_on is not None:
        fields["url"] = facts.first_url
    if verdict.status in (Status.ON_TIME, Status.LATE):
        for row in open_missing:
            resolve_finding(
                session, row, agency=agency, jurisdiction=jurisdiction, kind=kinds.PUBLISHED, extra=fields
            )
    rule = {Status.MISSING: "MISSING", Status.LATE: "LATE"}.get(verdict.status)
    if rule and not (rule == "MISSING" and open_missing):
        upsert_finding(
            session,
            agency=agency,
            jurisdiction=jurisdiction,
            year=year,
            finding=_deadline_finding(rule, verdict, year),
            report=None,
            extra_payload=fields,
        )
    if verdict.status == Status.UNVERIFIABLE:
        _announce_unverifiable(session, agency, jurisdiction, year, verdict, fields)
    if verdict.status == Status.DUE_SOON:
        enqueue(
            session,
            kind=kinds.DUE_SOON.name,
            dedup_key=kinds.DUE_SOON.dedup_key(agency=agency.code, year=year),
            agency=agency,
            year=year,
            severity=kinds.DUE_SOON.fixed_severity,
            tags=alert_tags(agency, jurisdiction),
            payload=agency_payload(agency, jurisdiction, year)
            | {
                "deadline": deadline.due.isoformat(),
                "days_left": verdict.days_left,
                "basis": deadline.basis,
            },
        )
    return AgencyDeadline(agency.code, agency.name, jurisdiction.name, verdict)


def _announce_unverifiable(
    session: Session,
    agency: Agency,
    jurisdiction: Jurisdiction,
    year: int,
    verdict: Verdict,
    fields: dict,
) -> None:
    """「无法核实」 once per episode of crawls that could not read the columns, and once more if
    the deadline passes during it. Not for an agency never crawled: there is no portal error
    to report, only that nobody has looked yet (the compliance table says so)."""
    episode = failing_since(session, row_id(agency))
    if episode is None:
        return
    enqueue(
        session,
        kind=kinds.UNVERIFIABLE.name,
        dedup_key=kinds.UNVERIFIABLE.dedup_key(
            agency=agency.code, year=year, phase=verdict.phase, episode=episode
        ),
        agency=agency,
        year=year,
        severity=kinds.UNVERIFIABLE.fixed_severity,
        tags=alert_tags(agency, jurisdiction),
        payload=agency_payload(agency, jurisdiction, year)
        | {
            "phase": verdict.phase,
            "outcome": verdict.crawl_outcome,
            "detail": (verdict.crawl_detail or "")[:300],
            "days_left": verdict.days_left,
            **fields,
        },
    )


def check_deadlines(
    session: Session, year: int, now: datetime, rules: RegistrySettings, agency_codes: list[str] | None = None
) -> list[AgencyDeadline]:
    query = select(Agency, Jurisdiction).join(Jurisdiction).where(Agency.active == True)
    if agency_codes is not None:
        query = query.where(col(Agency.code).in_(agency_codes))
    pairs = session.exec(query.order_by(Jurisdiction.code, Agency.code)).all()
    facts = year_facts(session, [row_id(a) for a, _ in pairs], year)
    return [
        check_agency_deadline(session, agency, jurisdiction, year, now, rules, facts[row_id(agency)])
        for agency, jurisdiction in pairs
    ]


def deadline_statuses(
    db_url: str, year: int, now: datetime, rules: RegistrySettings, agency_codes: list[str] | None = None
) -> list[dict]:
    """`check_deadlines` in its own session, as plain rows (agency, status, days late): what a
    run records as the deadline step's result."""
    with session_scope(db_url) as s:
        results = check_deadlines(s, year, now, rules, agency_codes)
        return [
            {"agency": r.agency_code, "status": r.verdict.status.value, "days_late": r.verdict.days_late}
            for r in results
        ]


def in_deadline_season(
    session: Session,
    agency: Agency,
    jurisdiction: Jurisdiction,
    years: set[int],
    now: datetime,
    rules: RegistrySettings,
) -> bool:
    """Whether, for one of `years`, the agency's report is not seen yet and its deadline is near
    or past: a portal failure then matters for the deadline and is said as 「无法核实」."""
    return any(
        dated_verdict(
            agency, jurisdiction, y, now, rules, *first_publication(session, row_id(agency), y)
        ).status
        in (Status.MISSING, Status.DUE_SOON)
        for y in years
    )
