"""Re-run the checks on stored reports after rules change, without fetching anything."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from flows.runtime import deliver_alerts
from models.db import require_current_schema
from nianbao.crawl.revalidate import revalidate_reports
from nianbao.runtime.settings import get_settings


@task(name="revalidate-reports", cache_policy=NONE)
def revalidate_task(year: int | None, agency: str | None) -> dict:
    return revalidate_reports(get_settings(), year=year, agency=agency)


@task(name="deliver-alerts", cache_policy=NONE)
def deliver_task() -> dict:
    return deliver_alerts(get_settings())


@flow(name="revalidate", log_prints=True)
def revalidate(year: int | None = None, agency: str | None = None) -> dict:
    """Apply the current rules to every stored current report (of a year / an agency).

    Args:
        year: 只重新检查这一年度的报告（如 2024）；留空则检查全部年度。
        agency: 只重新检查这个单位（代码、编号或名称）；留空则检查全部单位。
    """
    require_current_schema(get_settings().db_url)
    result = revalidate_task(year, agency)
    get_run_logger().info("revalidated %s report(s): %s", result["reports"], result)
    deliver_task()
    return result
