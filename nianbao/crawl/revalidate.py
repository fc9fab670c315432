"""Re-check stored reports with the current rules: findings open and resolve as if fetched anew."""

from __future__ import annotations

from sqlmodel import select

from models.db import session_scope
from models.tables import Agency, Jurisdiction, Report
from nianbao.crawl.context import check_context
from nianbao.crawl.lookup import resolve_agency
from nianbao.runtime.settings import Settings
from nianbao.store.record import record_check_findings
from reports.checks import run_checks
from reports.checks.readability import readability
from reports.model import ParsedReport


def revalidate_reports(settings: Settings, *, year: int | None = None, agency: str | None = None) -> dict:
    counts = {"reports": 0, "new": 0, "resolved": 0}
    with session_scope(settings.db_url) as s:
        query = select(Report).where(Report.is_current == True)
        if year is not None:
            query = query.where(Report.year == year)
        if agency is not None:
            query = query.where(Report.agency_id == resolve_agency(s, agency).id)
        for report in s.exec(query).all():
            if not report.cells:
                continue
            owner = s.get_one(Agency, report.agency_id)
            jurisdiction = s.get_one(Jurisdiction, owner.jurisdiction_id)
            parsed = ParsedReport.model_validate(report.cells)
            if not readability(parsed).readable:
                continue  # its one 「无法读取」 finding stands; the rules have nothing to judge
            ctx = check_context(s, owner, report.year)
            findings = run_checks(parsed, ctx)
            got = record_check_findings(
                s,
                agency=owner,
                jurisdiction=jurisdiction,
                year=report.year,
                report=report,
                findings=findings,
                parsed=parsed,
                level=ctx.agency_level,
            )
            counts["reports"] += 1
            counts["new"] += got["new"]
            counts["resolved"] += got["resolved"]
    return counts
