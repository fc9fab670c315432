"""Writes what a crawl learned into the database, idempotently.

Every function here is safe to call again with the same input: documents are keyed by
(url, sha256), report versions by (agency, year, content sha256), findings by
(agency, year, fingerprint) and alerts by their dedup key. A finding and the alert that
announces it are added in the same session, so they commit (or roll back) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

from sqlmodel import Session, col, select

from alerts import kinds
from alerts.kinds import KINDS, AlertKind
from alerts.outbox import enqueue
from models import queries
from models.json_text import JsonText
from models.tables import Agency, Document, Finding, Jurisdiction, Report, row_id, utcnow
from nianbao.store.rawstore import store_raw
from reports.checks.base import STATUS_FAIL, Severity
from reports.checks.base import Finding as CheckFinding
from reports.checks.monitor_rules import UNREADABLE
from reports.checks.reassess import can_reassess, rule_applies
from reports.model import ParsedReport
from scrapers.meta import PORTAL_ZONE

# Rules whose findings belong to one report's content; MISSING/LATE belong to the agency-year.
DEADLINE_RULES = frozenset({"MISSING", "LATE"})
# States a re-check may move: a person's `dismissed` / `closed` is theirs to change (findings
# reopen); a `confirmed` finding is still resolved by a corrected version, its review note kept.
RESOLVABLE_STATES = ("open", "confirmed")


def _alert_kind(finding: CheckFinding) -> AlertKind | None:
    """The alert a new finding gives: its own kind for deadlines and 「无法读取」, `finding` for
    a real one, none for a check's 「无法核验」 note."""
    if finding.rule in DEADLINE_RULES:
        return KINDS[finding.rule.lower()]
    if finding.rule == UNREADABLE:
        return kinds.UNREADABLE
    return kinds.FINDING if finding.status == STATUS_FAIL else None


def alert_tags(agency: Agency, jurisdiction: Jurisdiction) -> list[str]:
    return ["office", jurisdiction.code, agency.code]


@dataclass
class FetchedBytes:
    """What the pipeline hands over about one fetched resource."""

    url: str
    content: bytes
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def record_document(
    session: Session,
    *,
    agency_id: int | None,
    fetched: FetchedBytes,
    raw_root: Path,
    role: str = "report",
    stored: tuple[str, Path] | None = None,
) -> tuple[Document, bool]:
    """Keep the raw bytes (first), then the Document row for this version of the URL.
    `stored`: what `store_raw` answered for these bytes already (not hashed and stored again)."""
    digest, path = stored or store_raw(raw_root, fetched.content)
    doc = session.exec(queries.DOCUMENT_VERSION, params={"url": fetched.url, "digest": digest}).first()
    now = utcnow()
    if doc is not None:
        doc.last_seen = now
        doc.etag = fetched.etag or doc.etag
        doc.last_modified = fetched.last_modified or doc.last_modified
        session.add(doc)
        return doc, False
    doc = Document(
        agency_id=agency_id,
        url=fetched.url,
        final_url=fetched.final_url,
        http_status=fetched.status,
        content_type=fetched.content_type,
        sha256=digest,
        size=len(fetched.content),
        storage_path=str(path),
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        role=role,
        first_seen=now,
        last_seen=now,
    )
    session.add(doc)
    session.flush()
    return doc, True


def parse_status(parsed: ParsedReport) -> str:
    if not parsed.machine_readable:
        return "unreadable"
    return "partial" if parsed.problems or not all(parsed.tables_found.values()) else "parsed"


class RecordedVersion(NamedTuple):
    """A version `record_report` stored (`created`) or found stored already; `replaced`: the
    version that was current before this new one."""

    report: Report
    replaced: Report | None
    created: bool


def record_report(
    session: Session,
    *,
    agency: Agency,
    year: int,
    parsed: ParsedReport,
    document: Document,
    url: str,
    title: str | None,
    published_at: datetime | None,
    published_at_source: str | None,
    agency_source: str | None = None,
) -> RecordedVersion:
    """Store this version of the report, unless it is stored already (then that one, not created)."""
    params = {"agency_id": agency.id, "year": year, "digest": document.sha256}
    rows = session.exec(queries.CURRENT_OR_WITH_CONTENT, params=params).all()
    existing = next((r for r in rows if r.content_sha256 == document.sha256), None)
    if existing is not None:
        return RecordedVersion(existing, None, created=False)
    previous = next((r for r in rows if r.is_current), None)
    version = 1
    if previous is not None:
        previous.is_current = False
        session.add(previous)
        version = previous.version + 1
    if published_at is not None and published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=PORTAL_ZONE)  # portal dates are Beijing time
    report = Report(
        agency_id=row_id(agency),
        year=year,
        version=version,
        is_current=True,
        title=title or parsed.title,
        url=url,
        document_id=document.id,
        content_sha256=document.sha256,
        published_at=published_at,
        published_at_source=published_at_source,
        agency_source=agency_source,
        form=parsed.form.value,
        parse_status=parse_status(parsed),
        parse_problems=[p.model_dump(mode="json") for p in parsed.problems],
        # serialised by pydantic and stored as it is (models/json_text.py); read back, a dict
        cells=cast("dict[str, Any]", JsonText(parsed.model_dump_json(exclude={"text"}))),
    )
    session.add(report)
    session.flush()
    session.expire(report, ["cells"])  # read back as the dict it is, should anyone ask
    return RecordedVersion(report, previous, created=True)


def record_unfetched_report(
    session: Session,
    *,
    agency: Agency,
    year: int,
    url: str,
    title: str | None,
    published_at: datetime | None,
    published_at_source: str | None,
    agency_source: str | None,
    document_id: int | None,
) -> Report:
    """A report seen on its column (title, link, date) whose file could not be had: published,
    unread. One such version per agency-year (its content digest is empty); the first version
    read later replaces it as current, and its date stays the publication date."""
    if published_at is not None and published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=PORTAL_ZONE)
    report = Report(
        agency_id=row_id(agency),
        year=year,
        version=1,
        is_current=True,
        title=title,
        url=url,
        document_id=document_id,
        content_sha256="",
        published_at=published_at,
        published_at_source=published_at_source,
        agency_source=agency_source,
        parse_status="unfetched",
    )
    session.add(report)
    session.flush()
    return report


def agency_payload(agency: Agency, jurisdiction: Jurisdiction, year: int | None) -> dict[str, Any]:
    """Who an alert is about, as every alert payload carries it."""
    return {
        "agency": agency.name,
        "agency_code": agency.code,
        "district": jurisdiction.name,
        "district_code": jurisdiction.code,
        "year": year,
    }


def _finding_payload(
    agency: Agency, jurisdiction: Jurisdiction, year: int, f: Finding, url: str | None
) -> dict:
    return agency_payload(agency, jurisdiction, year) | {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "evidence": f.evidence,
        "url": url,
    }


def upsert_finding(
    session: Session,
    *,
    agency: Agency,
    jurisdiction: Jurisdiction,
    year: int,
    finding: CheckFinding,
    report: Report | None,
    alert: bool = True,
    extra_payload: dict[str, Any] | None = None,
) -> tuple[Finding, bool]:
    """Insert a new finding (and its alert), or refresh a known one. Returns (row, is_new_or_reopened)."""
    fp = finding.fingerprint()
    params = {"agency_id": agency.id, "year": year, "fingerprint": fp}
    row = session.exec(queries.FINDING_BY_FINGERPRINT, params=params).first()
    now = utcnow()
    fresh = False
    if row is None:
        row = Finding(
            agency_id=row_id(agency),
            year=year,
            report_id=report.id if report else None,
            rule=finding.rule,
            severity=finding.severity.value,
            status=finding.status,
            message=finding.message,
            evidence=finding.evidence,
            fingerprint=fp,
            first_seen=now,
            last_seen=now,
        )
        fresh = True
    else:
        if row.state == "resolved":
            row.state, row.resolved_at, fresh = "open", None, True
        row.last_seen = now
        row.message, row.evidence, row.severity = finding.message, finding.evidence, finding.severity.value
        if report is not None:
            row.report_id = report.id
    session.add(row)
    session.flush()
    kind = _alert_kind(finding)
    if fresh and alert and kind is not None:
        enqueue(
            session,
            kind=kind.name,
            dedup_key=kind.dedup_key(finding_id=row.id, opened_at=now.isoformat()),
            agency=agency,
            year=year,
            severity=kind.severity or row.severity,
            tags=alert_tags(agency, jurisdiction),
            payload=_finding_payload(agency, jurisdiction, year, row, report.url if report else None)
            | (extra_payload or {}),
            finding_id=row.id,
        )
    return row, fresh


def resolve_finding(
    session: Session,
    row: Finding,
    *,
    agency: Agency,
    jurisdiction: Jurisdiction,
    kind: AlertKind = kinds.RESOLVED,
    extra: dict[str, Any] | None = None,
    announce: bool = True,
    note: str | None = None,
) -> bool:
    """Mark a finding resolved and (for a real finding) announce it. Only on evidence: the caller
    saw the report again and the rule passed. A dismissed or person-closed finding is a person's
    call and stays; a confirmed one is resolved too, keeping its review note. `note` is added to
    the review note (why, when it was not a correction). Returns whether it was resolved."""
    if row.state not in RESOLVABLE_STATES:
        return False
    row.state, row.resolved_at = "resolved", utcnow()
    if note:
        row.review_comment = f"{row.review_comment}；{note}" if row.review_comment else note
    session.add(row)
    session.flush()
    if row.status != "fail" or not announce:
        return True
    payload = _finding_payload(agency, jurisdiction, row.year, row, None) | (extra or {})
    enqueue(
        session,
        kind=kind.name,
        dedup_key=kind.dedup_key(finding_id=row.id, resolved_at=row.resolved_at.isoformat()),
        agency=agency,
        year=row.year,
        severity=kind.severity or row.severity,
        tags=alert_tags(agency, jurisdiction),
        payload=payload,
        finding_id=row.id,
    )
    return True


def record_check_findings(
    session: Session,
    *,
    agency: Agency,
    jurisdiction: Jurisdiction,
    year: int,
    report: Report,
    findings: list[CheckFinding],
    parsed: ParsedReport | None,
    level: str | None = None,
) -> dict[str, int]:
    """Apply a re-check of one report: new findings open; an earlier finding no longer raised
    is resolved only when this version was read (`parsed`; None: it could not be) and its rule
    could judge again what the finding pointed at (`can_reassess`). A finding whose rule no
    longer holds for this report (its years or levels) is withdrawn without an announcement."""
    counts = {"new": 0, "resolved": 0}
    keep: set[int] = set()
    for f in findings:
        row, fresh = upsert_finding(
            session, agency=agency, jurisdiction=jurisdiction, year=year, finding=f, report=report
        )
        keep.add(row_id(row))
        counts["new"] += int(fresh and f.status == STATUS_FAIL)
    if parsed is None:
        return counts  # an unreadable version shows nothing about earlier findings
    stale = session.exec(
        select(Finding).where(
            Finding.agency_id == agency.id,
            Finding.year == year,
            col(Finding.state).in_(RESOLVABLE_STATES),
            col(Finding.rule).not_in(DEADLINE_RULES),
        )
    ).all()
    for row in stale:
        if row.id in keep:
            continue
        if not rule_applies(row.rule, parsed, level):
            resolve_finding(
                session,
                row,
                agency=agency,
                jurisdiction=jurisdiction,
                announce=False,
                note="该规则不适用于此报告（年度或单位层级），撤回",
            )
        elif can_reassess(row.rule, row.evidence or {}, parsed, findings):
            resolve_finding(session, row, agency=agency, jurisdiction=jurisdiction)
            counts["resolved"] += int(row.status == STATUS_FAIL)
    return counts


def severity_rank(severity: str) -> int:
    order = {Severity.ERROR.value: 0, Severity.WARNING.value: 1, Severity.INFO.value: 2}
    return order.get(severity, 3)


REVIEW_STATES = ("confirmed", "dismissed", "closed")


def review_finding(session: Session, finding_id: int, state: str, comment: str) -> Finding:
    """A person's verdict on a finding. `dismissed` (not a problem) and `closed` (dealt with) are
    kept by re-checks; `confirmed` stays until a corrected version resolves it."""
    if state not in REVIEW_STATES:
        raise ValueError(f"state must be one of {REVIEW_STATES}")
    if not comment.strip():
        raise ValueError("请说明理由（-m）")
    row = session.get(Finding, finding_id)
    if row is None:
        raise LookupError(f"没有编号为 #{finding_id} 的问题（nianbao findings list 列出编号）")
    row.state, row.review_comment = state, comment.strip()
    if state == "closed":
        row.resolved_at = utcnow()
    session.add(row)
    return row


def reopen_finding(session: Session, finding_id: int, comment: str | None = None) -> Finding:
    """Undo a person's verdict or a resolution: the finding is open again (its history noted)."""
    row = session.get(Finding, finding_id)
    if row is None:
        raise LookupError(f"没有编号为 #{finding_id} 的问题（nianbao findings list 列出编号）")
    if row.state == "open":
        raise ValueError(f"问题 #{finding_id} 本来就是未解决状态")
    note = f"由“{row.state}”重新打开" + (f"：{comment.strip()}" if comment and comment.strip() else "")
    row.review_comment = f"{row.review_comment}；{note}" if row.review_comment else note
    row.state, row.resolved_at = "open", None
    session.add(row)
    return row
