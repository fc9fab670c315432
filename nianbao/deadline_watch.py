"""MISSING / LATE / DUE-SOON for every agency of a year, recorded as findings with alerts.

A MISSING finding is resolved by the report's appearance, which is announced as
「已发布」 (with its delay); a report that was late stays a LATE finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from alerts.outbox import enqueue
from models.tables import Agency, Finding, Jurisdiction, Report
from nianbao.deadlines import SHANGHAI, Status, Verdict, assess, deadline_for
from nianbao.record import alert_tags, resolve_finding, upsert_finding
from nianbao.registry import RegistrySettings
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
            f"截至今日未发现{year}年度政府信息公开工作年度报告。法定期限为{d.due:%Y年%m月%d日}"
            f"（{d.basis}），已逾期{verdict.days_late}天。"
        )
        severity = Severity.ERROR
    else:
        source = (
            "页面未标注发布日期，按系统首次发现时间计"
            if verdict.date_source == "first_seen"
            else (f"日期来源：{verdict.date_source}")
        )
        message = (
            f"{year}年度报告于{verdict.published_on:%Y年%m月%d日}发布，晚于法定期限"
            f"{d.due:%Y年%m月%d日}（{d.basis}）{verdict.days_late}天。{source}。"
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
        "deadline": f"{verdict.deadline.due:%Y年%m月%d日}",
        "basis": verdict.deadline.basis,
        "published_at": f"{verdict.published_on:%Y年%m月%d日}" if verdict.published_on else None,
        "published_at_source": verdict.date_source,
        "delay_days": verdict.days_late if verdict.status == Status.LATE else 0,
        "days_overdue": verdict.days_late if verdict.status == Status.MISSING else None,
        "checked_at": f"{now.astimezone(SHANGHAI):%Y年%m月%d日}",
        "searched_urls": entry_urls,
    }


def agency_verdict(
    session: Session,
    agency: Agency,
    jurisdiction: Jurisdiction,
    year: int,
    now: datetime,
    rules: RegistrySettings,
) -> Verdict:
    """On time / late / missing / due soon for one agency-year, from what the database knows."""
    published_at, source = first_publication(session, agency.id, year)  # type: ignore[arg-type]
    deadline = deadline_for(
        agency.kind,
        year,
        jurisdiction_overrides=jurisdiction.deadline_overrides,
        agency_overrides=agency.deadline_overrides,
    )
    return assess(
        deadline,
        published_at=published_at,
        date_source=source,
        now=now,
        inclusive=rules.deadline_inclusive,
        grace_days=rules.grace_days,
        due_soon_days=rules.due_soon_days,
    )


def check_agency_deadline(
    session: Session,
    agency: Agency,
    jurisdiction: Jurisdiction,
    year: int,
    now: datetime,
    rules: RegistrySettings,
) -> AgencyDeadline:
    verdict = agency_verdict(session, agency, jurisdiction, year, now, rules)
    deadline = verdict.deadline
    open_missing = session.exec(
        select(Finding).where(
            Finding.agency_id == agency.id,
            Finding.year == year,
            Finding.rule == "MISSING",
            Finding.state == "open",
        )
    ).all()
    fields = _alert_fields(verdict, now, list(agency.entry_urls or []))
    if verdict.status in (Status.ON_TIME, Status.LATE):
        for row in open_missing:
            resolve_finding(
                session, row, agency=agency, jurisdiction=jurisdiction, kind="published", extra=fields
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
    if verdict.status == Status.DUE_SOON:
        enqueue(
            session,
            kind="due_soon",
            dedup_key=f"due_soon:{agency.code}:{year}",
            agency=agency,
            year=year,
            severity="info",
            tags=alert_tags(agency, jurisdiction),
            payload={
                "agency": agency.name,
                "agency_code": agency.code,
                "district": jurisdiction.name,
                "district_code": jurisdiction.code,
                "year": year,
                "deadline": deadline.due.isoformat(),
                "days_left": verdict.days_left,
                "basis": deadline.basis,
            },
        )
    return AgencyDeadline(agency.code, agency.name, jurisdiction.name, verdict)


def check_deadlines(
    session: Session, year: int, now: datetime, rules: RegistrySettings, agency_codes: list[str] | None = None
) -> list[AgencyDeadline]:
    query = select(Agency, Jurisdiction).join(Jurisdiction).where(Agency.active == True)
    if agency_codes is not None:
        query = query.where(Agency.code.in_(agency_codes))  # type: ignore[attr-defined]
    out = []
    for agency, jurisdiction in session.exec(query.order_by(Jurisdiction.code, Agency.code)).all():
        out.append(check_agency_deadline(session, agency, jurisdiction, year, now, rules))
    return out
