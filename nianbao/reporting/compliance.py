"""The compliance matrix: one row per agency for a report year, read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from alerts.rules_zh import severity_rank
from models.tables import Agency, AgencyCrawl, Finding, Jurisdiction, row_id
from nianbao.deadlines.calendar import Status
from nianbao.deadlines.watch import agency_verdict
from nianbao.store.registry import RegistrySettings

STATUS_LABELS = {
    Status.ON_TIME: "按时发布",
    Status.LATE: "逾期发布",
    Status.MISSING: "未发布",
    Status.DUE_SOON: "即将到期",
    Status.PENDING: "未到期",
    Status.UNVERIFIABLE: "无法核实",
}


PORTAL_LABELS = {
    "ok": "正常",
    "unreachable": "无法访问",
    "blocked": "拒绝访问（疑似被拦截）",
    "no_entry": "找不到年报栏目",
    "error": "检查时程序出错",
    "not_crawled": "尚未检查",
}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
STATE_LABELS = {"open": "待整改", "confirmed": "已确认", "dismissed": "已排除", "resolved": "已整改"}


@dataclass
class ComplianceRow:
    district: str
    agency_code: str
    agency: str
    status: Status
    status_text: str
    deadline: str
    published_on: str | None
    date_source: str | None
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    portal: str = "ok"  # last crawl outcome
    rules: list[str] = field(default_factory=list)
    report_url: str | None = None  # the first version of the year's report

    @property
    def portal_text(self) -> str:
        return PORTAL_LABELS.get(self.portal, "无法检查")

    @property
    def rule_titles(self) -> list[str]:
        """What the findings are about, in words (the rule codes are for the footer)."""
        from alerts.rules_zh import rule_title

        return [rule_title(r) for r in self.rules]

    @property
    def could_not_check(self) -> bool:
        """The portal did not answer (or was never read): a status here is what the database
        knew before, and 「未发布」 would be said without having looked."""
        return self.portal != "ok"


def compliance_rows(
    session: Session, year: int, now: datetime, rules: RegistrySettings, agency_codes: list[str] | None = None
) -> list[ComplianceRow]:
    """A row per active agency (of `agency_codes` only, when given: a recrawl of one agency
    must not assess the thousands of others to show its own row)."""
    rows: list[ComplianceRow] = []
    query = select(Agency, Jurisdiction).join(Jurisdiction).where(Agency.active == True)
    if agency_codes is not None:
        query = query.where(col(Agency.code).in_(agency_codes))
    pairs = session.exec(query.order_by(Jurisdiction.code, Agency.code)).all()
    first_urls = first_report_urls(session, year, [row_id(a) for a, _ in pairs])
    for agency, jur in pairs:
        verdict = agency_verdict(session, agency, jur, year, now, rules)
        deadline = verdict.deadline
        text = STATUS_LABELS[verdict.status]
        if verdict.status == Status.LATE:
            text = f"逾期{verdict.days_late}天"
        elif verdict.status == Status.UNVERIFIABLE:
            text = "无法核实（截止日期已过）" if verdict.phase == "overdue" else "无法核实（截止日期临近）"
        findings = session.exec(
            select(Finding).where(
                Finding.agency_id == agency.id,
                Finding.year == year,
                Finding.status == "fail",
                col(Finding.state).in_(["open", "confirmed"]),
            )
        ).all()
        crawl = session.exec(
            select(AgencyCrawl).where(AgencyCrawl.agency_id == agency.id).order_by(col(AgencyCrawl.id).desc())
        ).first()
        rows.append(
            ComplianceRow(
                district=jur.name,
                agency_code=agency.code,
                agency=agency.name,
                status=verdict.status,
                status_text=text,
                deadline=deadline.due.isoformat(),
                published_on=verdict.published_on.isoformat() if verdict.published_on else None,
                date_source=verdict.date_source,
                errors=sum(f.severity == "error" for f in findings),
                warnings=sum(f.severity == "warning" for f in findings),
                infos=sum(f.severity == "info" for f in findings),
                portal=crawl.outcome if crawl else "not_crawled",
                rules=sorted({f.rule for f in findings}),
                report_url=first_urls.get(row_id(agency)) if verdict.published_on else None,
            )
        )
    return rows


def first_report_urls(session: Session, year: int, agency_ids: list[int]) -> dict[int, str | None]:
    """The address of each agency's first version of the year's report, in one query (the link
    a compliance row gives)."""
    from models.tables import Report

    out: dict[int, str | None] = {}
    if not agency_ids:
        return out
    rows = session.exec(
        select(Report.agency_id, Report.url)
        .where(Report.year == year, col(Report.agency_id).in_(agency_ids))
        .order_by(col(Report.version).desc())
    ).all()
    for agency_id, url in rows:  # the lowest version is seen last and wins
        out[agency_id] = url
    return out


@dataclass
class FindingLine:
    district: str
    agency: str
    severity: str
    rule: str
    message: str
    state: str
    url: str | None
    rule_title: str = ""
    explanation: str = ""  # alerts/evidence.py, one line

    @property
    def severity_text(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def state_text(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


def finding_lines(session: Session, year: int) -> list[FindingLine]:
    """Open and person-confirmed findings of a year, errors first, for the exports, each with
    its explanation in words and the address of the report it was found in."""
    from alerts.evidence import explain
    from alerts.rules_zh import rule_title
    from models.tables import Report

    rows = session.exec(
        select(Finding, Agency.name, Jurisdiction.name, Report.url)
        .join(Agency, col(Agency.id) == Finding.agency_id)
        .join(Jurisdiction, col(Jurisdiction.id) == Agency.jurisdiction_id)
        .join(Report, col(Report.id) == Finding.report_id, isouter=True)
        .where(Finding.year == year, Finding.status == "fail", col(Finding.state).in_(["open", "confirmed"]))
    ).all()
    lines = [
        FindingLine(
            district=district,
            agency=agency,
            severity=f.severity,
            rule=f.rule,
            message=f.message,
            state=f.state,
            url=(f.evidence or {}).get("url") or url,
            rule_title=rule_title(f.rule),
            explanation=explain(f.rule, f.message, f.evidence, f.status).one_line(),
        )
        for f, agency, district, url in rows
    ]
    return sorted(lines, key=lambda f: (severity_rank(f.severity), f.district, f.agency, f.rule))
