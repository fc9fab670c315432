"""Crawl runs: started and finished as rows of `CrawlRun`, a heartbeat while a run works, and
runs that were killed: the next run marks a run that stopped beating as ``abandoned`` (with
when it was last seen) instead of leaving it ``running`` forever."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from models.db import session_scope
from models.tables import CrawlRun, row_id, utcnow
from nianbao.runtime.settings import Settings

log = logging.getLogger("nianbao.crawl.runs")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def mark_abandoned(session: Session, *, older_than: timedelta, by_run: int | None = None) -> list[int]:
    """Runs still ``running`` whose last sign of life is older than `older_than`: ``abandoned``,
    with when they were last seen in their stats. Returns their ids."""
    now = utcnow()
    marked: list[int] = []
    for run in session.exec(select(CrawlRun).where(col(CrawlRun.status) == "running")):
        if by_run is not None and run.id == by_run:
            continue
        seen = _utc(run.last_seen_at or run.started_at)
        if now - seen < older_than:
            continue
        run.status = "abandoned"
        run.stats = {
            **(run.stats or {}),
            "abandoned": {
                "last_seen_at": seen.isoformat(),
                "noticed_at": now.isoformat(),
                "noticed_by_run": by_run,
            },
        }
        session.add(run)
        marked.append(row_id(run))
        log.warning("crawl run %s stopped without finishing (last seen %s): marked abandoned", run.id, seen)
    return marked


def beat(db_url: str, run_id: int) -> None:
    with session_scope(db_url) as s:
        run = s.get(CrawlRun, run_id)
        if run is not None and run.status == "running":
            run.last_seen_at = utcnow()
            s.add(run)


@contextmanager
def heartbeat(db_url: str, run_id: int, every_s: float = 60.0) -> Iterator[None]:
    """Write the run's `last_seen_at` now and every `every_s` seconds while the block runs."""
    stop = threading.Event()
    beat(db_url, run_id)

    def loop() -> None:
        while not stop.wait(every_s):
            try:
                beat(db_url, run_id)
            except Exception:  # a missed beat only makes the run look older
                log.warning("heartbeat of run %s failed", run_id, exc_info=True)

    thread = threading.Thread(target=loop, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def start_run(settings: Settings, *, trigger: str, scope: str) -> int:
    """A new `running` run; runs left `running` by a killed process are marked `abandoned`."""
    with session_scope(settings.db_url) as s:
        run = CrawlRun(trigger=trigger, scope=scope, last_seen_at=utcnow())
        s.add(run)
        s.flush()
        mark_abandoned(s, older_than=timedelta(minutes=settings.abandon_after_minutes), by_run=run.id)
        return row_id(run)


def finish_run(settings: Settings, run_id: int, stats: dict, status: str = "completed") -> None:
    with session_scope(settings.db_url) as s:
        run = s.get(CrawlRun, run_id)
        if run is not None:
            run.finished_at, run.status, run.stats = utcnow(), status, stats
            s.add(run)
