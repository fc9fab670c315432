"""What a run tells the office about its agencies: the compliance table and the new findings.

Built here, without Prefect, so the same work can be measured with and without the flow
(bench/cycle.py); `flows/artifacts.py` publishes them as the run's artifacts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from alerts.evidence import explain
from alerts.localtime import zh_date
from alerts.rules_zh import SEVERITY_RANK, SEVERITY_ZH, rule_title, severity_rank
from models.db import session_scope
from models.tables import Agency, Finding, Jurisdiction, Report
from nianbao.reporting.compliance import compliance_rows
from nianbao.runtime.settings import Settings
from nianbao.store.registry import RegistrySettings

FINDINGS_LISTED = 300  # a first cycle over thousands of agencies finds thousands; the UI shows a page
SEVERITY_IN_ORDER = case(SEVERITY_RANK, value=col(Finding.severity), else_=len(SEVERITY_RANK))


def compliance_table(
    settings: Settings, year: int, agency_codes: list[str], registry: RegistrySettings
) -> list[dict]:
    """One row per agency of the run, with Chinese column names, as the UI shows it."""
    with session_scope(settings.db_url) as s:
        rows = compliance_rows(s, year, datetime.now(UTC), registry, agency_codes)
    return [
        {
            "区县": r.district,
            "单位": r.agency,
            "状态": r.status_text,
            "截止日期": zh_date(r.deadline),
            "发布日期": zh_date(r.published_on) if r.published_on else "",
            "错误": r.errors,
            "警告": r.warnings,
            "门户": r.portal_text,
            "问题": "、".join(r.rule_titles),
        }
        for r in rows
    ]


def scope_label(settings: Settings, scope: str) -> str:
    """「全部辖区」, a district's or an agency's Chinese name for a run's scope code."""
    if scope in ("all", ""):
        return "全部辖区"
    with session_scope(settings.db_url) as s:
        jur = s.exec(select(Jurisdiction.name).where(Jurisdiction.code == scope)).first()
        if jur:
            return jur
        agency = s.exec(select(Agency.name).where(Agency.code == scope)).first()
        return agency or scope


def findings_markdown(
    settings: Settings, year: int, scope: str, since: datetime, agency_codes: list[str]
) -> str:
    """New findings of the run, errors first, with evidence and links; at most FINDINGS_LISTED of
    them, and then how many more and where the whole list is (`nianbao report`)."""
    new_in_run = (
        Finding.year == year,
        Finding.first_seen >= since,
        Finding.status == "fail",
        col(Agency.code).in_(agency_codes),
    )
    with session_scope(settings.db_url) as s:
        counts = dict(
            s.exec(
                select(Finding.severity, func.count())
                .join(Agency, col(Agency.id) == Finding.agency_id)
                .where(*new_in_run)
                .group_by(Finding.severity)
            ).all()
        )
        rows = s.exec(
            select(Finding, Agency.name, Report.url)  # not whole Reports: they carry their cells
            .join(Agency, col(Agency.id) == Finding.agency_id)
            .join(Report, col(Report.id) == Finding.report_id, isouter=True)
            .where(*new_in_run)
            .order_by(SEVERITY_IN_ORDER, Agency.code, col(Finding.id))
            .limit(FINDINGS_LISTED)
        ).all()
        lines = [f"# {year}年度新发现的问题（{scope_label(settings, scope)}）", ""]
        total = sum(counts.values())
        standing_rules: set[str] = set()
        still_open = _still_open_lines(s, year, since, agency_codes, standing_rules)
        if not total:
            # never an all-clear while earlier findings stand: say so in the same sentence
            lines.append(
                "本次运行没有新发现的问题" + ("，但此前发现的问题仍未解决（见下）。" if still_open else "。")
            )
        else:
            parts = "、".join(
                f"{SEVERITY_ZH.get(k, k)}{counts[k]}条" for k in sorted(counts, key=severity_rank)
            )
            lines += [f"共{total}条（{parts}）。", ""]
        rules: set[str] = set()
        for finding, agency_name, report_url in rows:
            rules.add(finding.rule)
            lines += finding_lines_md(finding, agency_name, finding.evidence.get("url") or report_url)
        if total > len(rows):
            lines += [
                "",
                f"另有{total - len(rows)}条未在此列出（按严重程度排序，仅列前{len(rows)}条）；"
                f"完整清单请运行 `nianbao report --year {year}` 导出。",
            ]
        lines += _resolved_lines(s, year, since, agency_codes, rules)
        lines += still_open
        rules |= standing_rules
        if rules:
            lines += ["", f"—— 规则编号：{'、'.join(sorted(rules))}（供技术人员查阅）"]
    return "\n".join(lines)


def finding_lines_md(finding: Finding, agency_name: str, link: str | None) -> list[str]:
    """A finding as the run page lists it: severity, title, the sentence, the report's words."""
    x = explain(finding.rule, finding.message, finding.evidence, finding.status)
    sev = SEVERITY_ZH.get(finding.severity, finding.severity)
    lines = [f"- **[{sev}] {rule_title(finding.rule)}** {agency_name}：{_md(x.text)}"]
    if x.quote:
        lines.append(f"  - 原文：「{_md(x.quote)}」")
    if x.table:
        header, rows = x.table
        lines += [f"  - {'，'.join(f'{h} {v}' for h, v in zip(header, row, strict=False))}" for row in rows]
    if link:
        lines.append(f"  - [查看年报]({link})")
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _counted_page(s: Session, where: tuple) -> tuple[int, list]:
    """How many findings match `where`, and the first `FINDINGS_LISTED` of them with their
    agency's name, most severe first (an artifact lists a page and says how many more)."""
    total = s.exec(
        select(func.count())
        .select_from(Finding)
        .join(Agency, col(Agency.id) == Finding.agency_id)
        .where(*where)
    ).one()
    if not total:
        return 0, []
    rows = s.exec(
        select(Finding, Agency.name)
        .join(Agency, col(Agency.id) == Finding.agency_id)
        .where(*where)
        .order_by(SEVERITY_IN_ORDER, Agency.code, col(Finding.id))
        .limit(FINDINGS_LISTED)
    ).all()
    return total, list(rows)


def _still_open_lines(
    s: Session, year: int, since: datetime, agency_codes: list[str], rules: set[str] | None = None
) -> list[str]:
    """Findings found before this run and still open (or confirmed by a person) for its agencies:
    a recrawl that finds nothing new must not read as an all-clear."""
    standing = (
        Finding.year == year,
        Finding.first_seen < since,
        Finding.status == "fail",
        col(Finding.state).in_(["open", "confirmed"]),
        col(Agency.code).in_(agency_codes),
    )
    total, rows = _counted_page(s, standing)
    if not total:
        return []
    lines = ["", f"## 此前发现、仍未解决的问题（共{total}条）", ""]
    for finding, agency in rows:
        if rules is not None:
            rules.add(finding.rule)
        note = "（已人工确认）" if finding.state == "confirmed" else ""
        x = explain(finding.rule, finding.message, finding.evidence, finding.status)
        sev = SEVERITY_ZH.get(finding.severity, finding.severity)
        lines.append(
            f"- [{sev}] {rule_title(finding.rule)} {agency}：{_md(x.text)}{note}（问题编号 #{finding.id}）"
        )
    if total > len(rows):
        lines.append(
            f"另有{total - len(rows)}条仍未解决的问题未在此列出；完整清单请运行 `nianbao report --year {year}` 导出。"
        )
    return lines


def _resolved_lines(
    s: Session, year: int, since: datetime, agency_codes: list[str], rules: set[str]
) -> list[str]:
    """Findings this run saw corrected (a new version of the report no longer has them): what a
    recrawl after 「我们已经整改了」 is for."""
    resolved_in_run = (
        Finding.year == year,
        Finding.state == "resolved",
        col(Finding.resolved_at) >= since,
        col(Agency.code).in_(agency_codes),
    )
    total, rows = _counted_page(s, resolved_in_run)
    if not total:
        return []
    lines = ["", f"## 本次运行确认已整改的问题（共{total}条）", ""]
    for finding, agency in rows:
        rules.add(finding.rule)
        x = explain(finding.rule, finding.message, finding.evidence, finding.status)
        lines.append(f"- ~~{rule_title(finding.rule)}~~ {agency}：{_md(x.text)}（已整改）")
    if total > len(rows):
        lines.append(f"另有{total - len(rows)}条已整改的问题未在此列出。")
    return lines
