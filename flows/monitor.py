"""Prefect flows: thin orchestration over nianbao.crawl, nianbao.deadlines and alerts.

One task per agency (not per page); a run over more than NIANBAO_MAX_TASKS_PER_RUN agencies
puts agencies of one district together (`flows/grouping.py`), so thousands of agencies stay
within what one Prefect server handles.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from datetime import UTC, datetime

from prefect import State, flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.exceptions import FailedRun
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from sqlalchemy.exc import OperationalError

from flows.artifacts import ProgressReporter, publish_compliance_artifact, publish_findings_artifact
from flows.grouping import task_groups
from flows.politeness import polite_for_run, run_slots
from flows.runtime import deliver_alerts, forget_run, run_fetcher
from models.db import require_current_schema
from nianbao.crawl import lookup, runs, service
from nianbao.deadlines.calendar import default_report_year
from nianbao.deadlines.watch import deadline_statuses
from nianbao.reporting.run_summary import scope_label
from nianbao.runtime.gc_tuning import startup_objects_frozen
from nianbao.runtime.preflight import preflight
from nianbao.runtime.settings import Settings, get_settings
from nianbao.store.registry import registry_settings
from scrapers.retry import RetryPolicy


class _HandledFailure(logging.Filter):
    """A flow that ends itself with ``return Failed(message=…)`` (an agency the office mistyped)
    has said why, in Chinese, in its state and its log. Prefect's engine then re-raises that state
    as ``FailedRun`` and logs the traceback into the run's log, which the office reads in the UI:
    that one record is dropped. Any other failure keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, FailedRun)


logging.getLogger("prefect.flow_runs").addFilter(_HandledFailure())
log = logging.getLogger(__name__)

# Threads per flow run (tasks at once); the fetcher still sends one request at a time per host.
FLOW_WORKERS = int(os.environ.get("NIANBAO_FLOW_WORKERS", "16"))
RunLogger = logging.Logger | logging.LoggerAdapter[logging.Logger]  # what get_run_logger() gives


def _task_runner() -> TaskRunner[PrefectFuture[Any]]:
    """The flows' threads. Prefect types `flow(task_runner=)` as an invariant
    TaskRunner[PrefectFuture], which its own ThreadPoolTaskRunner[PrefectConcurrentFuture] is not."""
    return ThreadPoolTaskRunner(max_workers=FLOW_WORKERS)  # type: ignore[return-value]  # Prefect: invariant TaskRunner[F]


def _monitor_run_name() -> str:
    params = flow_run.parameters
    code = params.get("jurisdiction")
    scope = lookup.jurisdiction_name(get_settings(), code) if code else "全部辖区"
    return f"年报巡检-{scope}-{params.get('year') or default_report_year()}年度"


def _recrawl_run_name() -> str:
    params = flow_run.parameters
    label = lookup.agency_label(get_settings(), str(params.get("agency")))
    return f"重新抓取-{label}-{params.get('year') or default_report_year()}年度"


@task(name="monitor-agencies", cache_policy=NONE, task_run_name="monitor-{label}")
def monitor_agencies_task(
    agency_codes: list[str], year: int, run_id: int, label: str, read_in_full: bool = False
) -> list[dict]:
    """Crawl, check and record each agency of the group in turn; an agency that raises is
    retried after `AGENCY_RETRY_DELAYS` and then recorded as an error, never taking the rest of
    the group with it (a Prefect-level retry would crawl the whole group again).
    `read_in_full`: see `service.monitor_agency` (a manual recrawl)."""
    logger = get_run_logger()
    settings, fetcher = get_settings(), run_fetcher(run_id)
    entries_of = lookup.entry_urls(settings, agency_codes)
    rules = registry_settings()
    alert_after = rules.health_alert_after
    outcomes, described = [], []
    for code in agency_codes:
        entries = entries_of.get(code, [])
        with polite_for_run(run_id, entries) as limits:
            if limits:
                logger.debug("%s: holding host slot(s) %s", code, limits)

            def crawl(code: str = code) -> dict:
                return service.monitor_agency(
                    settings,
                    fetcher,
                    code,
                    years={year},
                    run_id=run_id,
                    health_alert_after=alert_after,
                    read_in_full=read_in_full,
                    rules=rules,
                ).as_dict()

            outcome = with_retries(crawl, code, logger)
        described.append(_describe(outcome, entries, year))
        outcomes.append(outcome)
    _log_outcomes(logger, described)
    return outcomes


# The crawl itself never raises for portal trouble; what reaches here is the database (locked,
# restarting, a dropped connection: worth another try after ≈10 s, then ≈60 s) or a bug (not).
AGENCY_RETRY = RetryPolicy(
    attempts=3, base_delay=10.0, factor=6.0, max_delay=60.0, jitter=0.2, transient=(OperationalError, OSError)
)


def with_retries(crawl: Callable[[], dict], code: str, logger: RunLogger) -> dict:
    """`crawl()`, tried again as `AGENCY_RETRY` says while it raises a transient error; after
    the last failure, or at once for any other error, an ``error`` outcome that says why."""

    def retrying(attempt: int, exc: BaseException, delay: float) -> None:
        logger.warning("%s: attempt %d failed (%r); retrying in %.0f s", code, attempt, exc, delay)

    try:
        return AGENCY_RETRY.call(crawl, on_retry=retrying)
    except Exception as exc:
        logger.error("%s: failed, giving up: %r", code, exc)
        return error_outcome(code, exc)


def error_outcome(code: str, exc: BaseException) -> dict:
    """The outcome of an agency whose crawl raised (or whose task failed): an error saying why."""
    return service.AgencyOutcome(
        agency=code, outcome="error", detail=f"{type(exc).__name__}: {exc}"[:1000]
    ).as_dict()


def _describe(outcome: dict, entries: list[str], year: int) -> tuple[bool, str]:
    """(needs a look, one line): what was fetched, what came of it, why anything was skipped."""
    code, kind = outcome["agency"], outcome["outcome"]
    where = ", ".join(entries) or "(no entry URL)"
    if kind != "ok":
        return True, f"{code}: {kind} at {where}: {outcome['detail'][:300]}"
    line = (
        f"{code}: crawled {where}; {outcome['reports_found']} report(s) found, "
        f"{outcome['new_versions']} new version(s), {outcome['unchanged']} unchanged, "
        f"{outcome['new_findings']} new finding(s)"
    )
    if outcome["errors"]:
        return True, f"{line}; errors: {outcome['errors'][:3]}"
    if outcome["reports_found"] == 0:
        return True, f"{line}; no {year} report on its entry pages"
    return False, line


def _log_outcomes(logger: RunLogger, described: list[tuple[bool, str]]) -> None:
    """WARNING lines for the agencies the office should look at, one INFO line for the rest:
    every log line is a row the Prefect server stores (≈6 ms of its CPU each, measured)."""
    for attention, line in described:
        if attention:
            logger.warning("%s", line)
    routine = [line for attention, line in described if not attention]
    if routine:
        logger.info("%s", "\n".join(routine))


@task(name="check-deadlines", cache_policy=NONE)
def check_deadlines_task(year: int, agency_codes: list[str] | None = None) -> list[dict]:
    return deadline_statuses(
        get_settings().db_url, year, datetime.now(UTC), registry_settings(), agency_codes
    )


@task(name="deliver-alerts", retries=1, retry_delay_seconds=30, cache_policy=NONE)
def deliver_alerts_task() -> dict:
    return deliver_alerts(get_settings())


@task(name="publish-artifacts", cache_policy=NONE)
def publish_artifacts_task(year: int, scope: str, since: datetime, agency_codes: list[str]) -> None:
    publish_compliance_artifact(get_settings(), year, scope, agency_codes)
    publish_findings_artifact(get_settings(), year, scope, since, agency_codes)


def _crawl(agency_codes: list[str], year: int, trigger: str, scope: str) -> dict:
    with startup_objects_frozen():
        return _crawl_and_report(agency_codes, year, trigger, scope)


def _crawl_and_report(agency_codes: list[str], year: int, trigger: str, scope: str) -> dict:
    settings = get_settings()
    started = datetime.now(UTC)
    run_id = runs.start_run(settings, trigger=trigger, scope=scope)
    # beats a few times within the abandon window, so no live run is taken for a killed one
    with runs.heartbeat(settings.db_url, run_id, every_s=min(60.0, settings.abandon_after_minutes * 60 / 4)):
        try:
            return _crawl_run(settings, run_id, started, agency_codes, year, trigger, scope)
        finally:
            memo = forget_run(run_id)
            if memo is not None and memo.hits:
                log.info("run %d: %d request(s) answered from what the run had read", run_id, memo.hits)


def _crawl_run(
    settings: Settings,
    run_id: int,
    started: datetime,
    agency_codes: list[str],
    year: int,
    trigger: str,
    scope: str,
) -> dict:
    entries = [u for urls in lookup.entry_urls(settings, agency_codes).values() for u in urls]
    groups = task_groups(settings, agency_codes, settings.max_tasks_per_run, settings.agencies_per_task)
    with run_slots(run_id, entries):
        read_in_full = trigger == "manual"  # the agency says something changed: trust no cache
        futures = [
            monitor_agencies_task.submit(codes, year, run_id, label, read_in_full) for label, codes in groups
        ]
        codes_of = {id(f): codes for f, (_, codes) in zip(futures, groups, strict=True)}
        progress = ProgressReporter(scope, year, total=len(agency_codes), label=scope_label(settings, scope))
        outcomes: list[dict] = []
        for future in as_completed(futures):
            result = future.result(raise_on_failure=False)
            codes = codes_of[id(future)]
            if isinstance(result, list):
                outcomes.extend(result)
            else:  # the task itself failed: its agencies are errors, not silently missing
                outcomes.extend(error_outcome(c, result) for c in codes)
            progress.advance(len(codes))
        progress.finish()
    deadlines = check_deadlines_task(year, agency_codes)
    publish_artifacts_task(year, scope, started, agency_codes)
    delivery = deliver_alerts_task()
    stats = {
        "agencies": len(agency_codes),
        "ok": sum(o["outcome"] == "ok" for o in outcomes),
        "unreachable": sum(o["outcome"] in ("unreachable", "blocked") for o in outcomes),
        "errors": sum(o["outcome"] == "error" for o in outcomes),
        "new_versions": sum(o["new_versions"] for o in outcomes),
        "new_findings": sum(o["new_findings"] for o in outcomes),
    }
    runs.finish_run(settings, run_id, stats)
    return {
        "run_id": run_id,
        "stats": stats,
        "outcomes": outcomes,
        "deadlines": deadlines,
        "delivery": delivery,
    }


@flow(
    name="monitor",
    flow_run_name=_monitor_run_name,
    log_prints=True,
    task_runner=_task_runner(),
)
def monitor(jurisdiction: str | None = None, year: int | None = None) -> dict:
    """Crawl every active agency (of one jurisdiction, or all), check, record, alert.

    Args:
        jurisdiction: 只巡检这个区县（区县代码，如 pds-zhanhe）；留空则巡检全部登记单位。
        year: 报告年度（如 2024）；留空则为上一年度。
    """
    preflight(get_settings())
    require_current_schema(get_settings().db_url)
    year = year or default_report_year()
    codes = lookup.active_agency_codes(get_settings(), jurisdiction)
    get_run_logger().info("monitoring %d agencies for report year %d", len(codes), year)
    return _crawl(codes, year, trigger="schedule", scope=jurisdiction or "all")


@flow(
    name="recrawl-agency",
    flow_run_name=_recrawl_run_name,
    log_prints=True,
    task_runner=_task_runner(),
)
def recrawl_agency(agency: str, year: int | None = None) -> dict | State:
    """Recrawl one agency now (by code, id or name), e.g. after it says 「我们已经发布了」.

    A name that matches no agency ends the run as Failed with the Chinese message and the
    closest agencies (「未找到单位“zhanhe-yinji”，您是不是要找：…」), not a traceback.

    Args:
        agency: 单位代码、编号或名称，例如 zhanhe-yingji 或 湛河区应急管理局（可在 nianbao agencies list 中查到）。
        year: 报告年度（如 2024）；留空则为上一年度。
    """
    preflight(get_settings())
    require_current_schema(get_settings().db_url)
    year = year or default_report_year()
    try:
        code = lookup.agency_code(get_settings(), agency)
    except lookup.AgencyNotFound as exc:
        get_run_logger().error("%s", exc)
        return Failed(message=str(exc))
    return _crawl([code], year, trigger="manual", scope=code)


@flow(name="check-deadlines", log_prints=True)
def check_deadlines_flow(year: int | None = None) -> list[dict]:
    """MISSING / LATE / DUE-SOON for every agency, then deliver the alerts.

    Args:
        year: 报告年度（如 2024）；留空则为上一年度。
    """
    preflight(get_settings())
    require_current_schema(get_settings().db_url)
    year = year or default_report_year()
    results = check_deadlines_task(year)
    deliver_alerts_task()
    return results
