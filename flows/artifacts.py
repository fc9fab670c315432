"""Prefect artifacts: what the oversight office reads in the UI after each run."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from sqlalchemy import case, func
from sqlmodel import col, select

from alerts.rules_zh import SEVERITY_RANK, SEVERITY_ZH, severity_rank
from flows.runtime import registry_settings
from models.db import session_scope
from models.tables import Agency, Finding, Report
from nianbao.compliance import compliance_rows
from nianbao.settings import Settings


def _key(prefix: str, scope: str, year: int) -> str:
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in scope.lower()).strip("-") or "all"
    return f"{prefix}-{safe}-{year}"


def publish_compliance_artifact(settings: Settings, year: int, scope: str, agency_codes: list[str]) -> None:
    with session_scope(settings.db_url) as s:
        rows = compliance_rows(s, year, datetime.now(UTC), registry_settings(), agency_codes)
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


FINDINGS_LISTED = 300  # a first cycle over thousands of agencies finds thousands; the UI shows a page
SEVERITY_IN_ORDER = case(SEVERITY_RANK, value=col(Finding.severity), else_=len(SEVERITY_RANK))


def publish_findings_artifact(
    settings: Settings, year: int, scope: str, since: datetime, agency_codes: list[str]
) -> None:
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
                .join(Agency, Agency.id == Finding.agency_id)
                .where(*new_in_run)
                .group_by(Finding.severity)
            ).all()
        )
        rows = s.exec(
            select(Finding, Agency.name, Report.url)  # not whole Reports: they carry their cells
            .join(Agency, Agency.id == Finding.agency_id)
            .join(Report, col(Report.id) == Finding.report_id, isouter=True)
            .where(*new_in_run)
            .order_by(SEVERITY_IN_ORDER, Agency.code, col(Finding.id))
            .limit(FINDINGS_LISTED)
        ).all()
        lines = [f"# {year}年度新发现的问题（{scope}）", ""]
        total = sum(counts.values())
        if not total:
            lines.append("本次运行没有新发现的问题。")
        else:
            parts = "、".join(
                f"{SEVERITY_ZH.get(k, k)}{counts[k]}条" for k in sorted(counts, key=severity_rank)
            )
            lines += [f"共{total}条（{parts}）。", ""]
        for finding, agency_name, report_url in rows:
            link = finding.evidence.get("url") or report_url or ""
            lines.append(f"- **[{finding.severity}] {finding.rule}** {agency_name}：{finding.message}")
            if link:
                lines.append(f"  - 原文：[{link}]({link})")
            evidence = _evidence_text(finding.evidence)
            if evidence:
                lines.append(f"  - 依据：{evidence}")
        if total > len(rows):
            lines += [
                "",
                f"另有{total - len(rows)}条未在此列出（按严重程度排序，仅列前{len(rows)}条）；"
                f"完整清单请运行 `nianbao report --year {year}` 导出。",
            ]
    create_markdown_artifact(
        key=_key("findings", scope, year), markdown="\n".join(lines), description=f"{year}年度新发现的问题"
    )


def _evidence_text(evidence: dict, limit: int = 300) -> str:
    """The evidence in one line (without the URL, which is the link)."""
    parts = []
    for key, value in evidence.items():
        if key in ("url", "anchor") or value in (None, "", [], {}):
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={text}")
    joined = "；".join(parts).replace("|", "\\|").replace("\n", " ")
    return joined if len(joined) <= limit else joined[:limit] + "…"


class ProgressReporter:
    """A progress artifact (``progress-<scope>-<year>``) updated as agencies finish: at each
    twentieth of the run and no more often than every `min_interval` seconds, then once at the
    end. Each update is a blocking API call (≈60 ms measured against a busy local server) made
    by the thread that collects the tasks' results, so a small run does not update per agency."""

    def __init__(
        self,
        scope: str,
        year: int,
        total: int,
        min_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        create: Callable[..., UUID | None] = create_progress_artifact,
        update: Callable[..., object] = update_progress_artifact,
    ) -> None:
        self.scope, self.year, self.total, self.done = scope, year, total, 0
        self.min_interval, self._clock, self._send = min_interval, clock, update
        self._step = max(1, total // 20)
        self._id: UUID | None = create(
            progress=0.0, key=_key("progress", scope, year), description=self._text()
        )
        self._last = clock()

    def _text(self) -> str:
        return f"{self.year}年度巡检进度（{self.scope}）：{self.done}/{self.total} 个单位已完成"

    def advance(self, agencies: int = 1) -> None:
        before, self.done = self.done, self.done + agencies
        crossed = self.done // self._step > before // self._step
        if crossed and self.done < self.total and self._clock() - self._last >= self.min_interval:
            self._update()

    def finish(self) -> None:
        self.done = self.total
        self._update()

    def _update(self) -> None:
        self._last = self._clock()
        if self._id is None:
            return
        progress = 100.0 * self.done / self.total if self.total else 100.0
        self._send(self._id, progress=progress, description=self._text())
