"""Prefect artifacts: what the oversight office reads in the UI after each run."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from nianbao.reporting.run_summary import compliance_table, findings_markdown, scope_label
from nianbao.runtime.settings import Settings
from nianbao.store.registry import registry_settings

log = logging.getLogger("nianbao.flows.artifacts")


def _key(prefix: str, scope: str, year: int) -> str:
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in scope.lower()).strip("-") or "all"
    return f"{prefix}-{safe}-{year}"


def publish_compliance_artifact(settings: Settings, year: int, scope: str, agency_codes: list[str]) -> None:
    create_table_artifact(
        key=_key("compliance", scope, year),
        table=compliance_table(settings, year, agency_codes, registry_settings()),
        description=f"{year}年度年报合规情况（{scope_label(settings, scope)}）",
    )


def publish_findings_artifact(
    settings: Settings, year: int, scope: str, since: datetime, agency_codes: list[str]
) -> None:
    create_markdown_artifact(
        key=_key("findings", scope, year),
        markdown=findings_markdown(settings, year, scope, since, agency_codes),
        description=f"{year}年度新发现的问题（{scope_label(settings, scope)}）",
    )


# Callbacks (done, total) the command line registers to draw a progress bar for a flow it runs
# in its own process (`nianbao run`); the UI has the progress artifact.
PROGRESS_LISTENERS: list[Callable[[int, int], None]] = []


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
        create: Callable[..., object] = create_progress_artifact,
        update: Callable[..., object] = update_progress_artifact,
        label: str | None = None,
    ) -> None:
        self.scope, self.year, self.total, self.done = scope, year, total, 0
        self.label = label or ("全部辖区" if scope == "all" else scope)
        self.min_interval, self._clock, self._send = min_interval, clock, update
        self._step = max(1, total // 20)
        self._id: UUID | None = None
        try:
            created = create(progress=0.0, key=_key("progress", scope, year), description=self._text())
            # a UUID when called in a flow (Prefect's sync/async wrapper types it either); None: no artifact
            self._id = created if isinstance(created, UUID) else None
        except Exception as exc:  # see _update: without it the run simply shows no progress bar
            log.warning("progress artifact not created (%s); the run goes on without it", exc)
        self._last = clock()

    def _text(self) -> str:
        return f"{self.year}年度巡检进度（{self.label}）：{self.done}/{self.total} 个单位已完成"

    def _tell(self) -> None:
        for listener in list(PROGRESS_LISTENERS):
            listener(self.done, self.total)

    def advance(self, agencies: int = 1) -> None:
        before, self.done = self.done, self.done + agencies
        self._tell()
        crossed = self.done // self._step > before // self._step
        if crossed and self.done < self.total and self._clock() - self._last >= self.min_interval:
            self._update()

    def finish(self) -> None:
        self.done = self.total
        self._tell()
        self._update()

    def _update(self) -> None:
        self._last = self._clock()
        if self._id is None:
            return
        progress = 100.0 * self.done / self.total if self.total else 100.0
        try:
            self._send(self._id, progress=progress, description=self._text())
        except Exception as exc:
            # The bar is for the eye; the agencies' outcomes are recorded already. A busy Prefect
            # server on PostgreSQL answered one update with a 500 (bench/national.py, six district
            # runs at once), and that ended the whole district's run as failed.
            log.warning("progress artifact not updated (%s); the run goes on", exc)
