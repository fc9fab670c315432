"""Prefect artifacts: what the oversight office reads in the UI after each run."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlmodel import col, select

from flows.runtime import registry_settings
from models.db import session_scope
from models.tables import Agency, Finding
from nianbao.compliance import compliance_rows
from nianbao.settings import Settings


def _key(prefix: str, scope: str, year: int) -> str:
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in scope.lower()).strip("-") or "all"
    return f"{prefix}-{safe}-{year}"


def publish_compliance_artifact(settings: Settings, year: int, scope: str, agency_codes: list[str]) -> None:
    with session_scope(settings.db_url) as s:
        rows = [
            r
            for r in compliance_rows(s, year, datetime.now(UTC), registry_settings())
            if r.agency_code in agency_codes
        ]
    table = [
        {
            "区县": r.district,
            "单位": r.agency,
            "状态": r.status_text,
            "截止日期": r.deadline,
            "发布日期": r.published_on or "",
            "错误": r.errors,
            "警告": r.warnings,
            "门户": r.portal,
            "规则": ", ".join(r.rules),
        }
        for r in rows
    ]
    create_table_artifact(
        key=_key("compliance", scope, year), table=table, description=f"{year}年度年报合规情况（{scope}）"
    )


def publish_findings_artifact(
    settings: Settings, year: int, scope: str, since: datetime, agency_codes: list[str]
) -> None:
    with session_scope(settings.db_url) as s:
        rows = s.exec(
            select(Finding, Agency)
            .join(Agency, Agency.id == Finding.agency_id)
            .where(
                Finding.year == year,
                Finding.first_seen >= since,
                Finding.status == "fail",
                col(Agency.code).in_(agency_codes),
            )
            .order_by(Finding.severity, Agency.code)
        ).all()
        lines = [f"# {year}年度新发现的问题（{scope}）", ""]
        if not rows:
            lines.append("本次运行没有新发现的问题。")
        for finding, agency in rows:
            link = finding.evidence.get("url") or ""
            lines.append(
                f"- **[{finding.severity}] {finding.rule}** {agency.name}：{finding.message} {link}".rstrip()
            )
    create_markdown_artifact(
        key=_key("findings", scope, year), markdown="\n".join(lines), description=f"{year}年度新发现的问题"
    )
