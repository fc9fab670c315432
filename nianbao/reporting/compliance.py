"""The compliance matrix: one row per agency for a report year, read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from alerts.rules_zh import severity_rank
from models.tables import Agency, Finding, Jurisdiction, row_id
from nianbao.deadlines.calendar import Status
from nianbao.deadlines.facts import BATCH, year_facts
from nianbao.deadlines.verdict import agency_verdict
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


@dataclass(frozen=True)
class AgencyColumns:
    """The columns of an agency a matrix row needs (a whole `Agency` row decodes six JSON
    columns: a third of a 5,000-agency matrix's time)."""

    id: int
    code: str
    name: str
    kind: str
    deadline_overrides: dict
    jurisdiction_id: int


CATEGORIES = ("按时发布", "逾期发布", "未发布", "无法核实", "未到期")  # the summary's five


def category(r: ComplianceRow) -> str:
    """Which of the summary's five a row is: a portal that could not be read leaves an agency
    「无法核实」 unless a report was already found (its date stands)."""
    if r.status.value == "on_time":
        return "按时发布"
    if r.status.value == "late":
        return "逾期发布"
    if r.could_not_check or r.status.value == "unverifiable":
        return "无法核实"
    if r.status.value == "missing":
        return "未发布"
    return "未到期"


def compliance_rows(
    session: Session, year: int, now: datetime, rules: RegistrySettings, agency_codes: list[str] | None = None
) -> list[ComplianceRow]:
    """A row per active agency (of `agency_codes` only, when given: a recrawl of one agency
    must not assess the thousands of others to show its own row). What each row needs is read
    for all agencies at once (`year_facts`, `open_failures`): a handful of queries per
    500 agencies, not three per agency."""
    rows: list[ComplianceRow] = []
    columns: list[Any] = [
        Agency.id, Agency.code, Agency.name, Agency.kind, Agency.deadline_overrides, Agency.jurisdiction_id,
    ]  # fmt: skip
    query = select(*columns).join(Jurisdiction).where(Agency.active == True)
    if agency_codes is not None:
        query = query.where(col(Agency.code).in_(agency_codes))
    agencies = [AgencyColumns(*r) for r in session.exec(query.order_by(Jurisdiction.code, Agency.code)).all()]
    needed = {a.jurisdiction_id for a in agencies}  # a recrawl's one, not the country's
    jurisdictions = {
        row_id(j): j for j in session.exec(select(Jurisdiction).where(col(Jurisdiction.id).in_(needed))).all()
    }
    ids = [a.id for a in agencies]
    facts = year_facts(session, ids, year)
    failures = open_failures(session, ids, year)
    for agency in agencies:
        jur = jurisdictions[agency.jurisdiction_id]
        known = facts[agency.id]
        verdict = agency_verdict(session, agency, jur, year, now, rules, known)
        text = STATUS_LABELS[verdict.status]
        if verdict.status == Status.LATE:
            text = f"逾期{verdict.days_late}天"
        elif verdict.status == Status.UNVERIFIABLE:
            text = "无法核实（截止日期已过）" if verdict.phase == "overdue" else "无法核实（截止日期临近）"
        found = failures.get(agency.id, [])
        rows.append(
            ComplianceRow(
                district=jur.name,
                agency_code=agency.code,
                agency=agency.name,
                status=verdict.status,
                status_text=text,
                deadline=verdict.deadline.due.isoformat(),
                published_on=verdict.published_on.isoformat() if verdict.published_on else None,
                date_source=verdict.date_source,
                errors=sum(severity == "error" for severity, _ in found),
                warnings=sum(severity == "warning" for severity, _ in found),
                infos=sum(severity == "info" for severity, _ in found),
                portal=known.crawl.outcome if known.crawl else "not_crawled",
                rules=sorted({rule for _, rule in found}),
                report_url=known.first_url if verdict.published_on else None,
            )
        )
    return rows


def open_failures(session: Session, agency_ids: list[int], year: int) -> dict[int, list[tuple[str, str]]]:
    """(severity, rule) of each agency's open and person-confirmed failures of the year, the
    columns only (a Finding row carries its evidence too), a query per `BATCH` agencies."""
    out: dict[int, list[tuple[str, str]]] = {}
    unique = sorted(set(agency_ids))
    for start in range(0, len(unique), BATCH):
        rows = session.exec(
            select(Finding.agency_id, Finding.severity, Finding.rule).where(
                col(Finding.agency_id).in_(unique[start : start + BATCH]),
                Finding.year == year,
                Finding.status == "fail",
                col(Finding.state).in_(["open", "confirmed"]),
            )
        ).all()
        for agency_id, severity, rule in rows:
            out.setdefault(agency_id, []).append((severity, rule))
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
