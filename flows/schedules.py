"""Deployments and their schedules (Asia/Shanghai), shared by `nianbao serve` and deploy/prefect.yaml.

Daily crawls during the deadline season (January to March), weekly otherwise; the deadline
check every morning, so MISSING goes out the first morning after a deadline.
"""

from __future__ import annotations

from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

TZ = "Asia/Shanghai"
# Module paths, not file paths: the package is installed, whatever the working directory.
MODULE = EntrypointType.MODULE_PATH

MONITOR_SCHEDULES = (
    Cron("0 7 * 1-3 *", timezone=TZ, slug="season-daily"),
    Cron("0 7 * 4-12 1", timezone=TZ, slug="off-season-weekly"),
)
DEADLINE_SCHEDULES = (Cron("30 8 * * *", timezone=TZ, slug="every-morning"),)


def deployment_specs() -> list[tuple[object, dict]]:
    """(flow, its deployment's options) for every deployment: `build_deployments` makes runner
    deployments of them, `nianbao serve` hands them to its runner with the flows themselves."""
    from flows.monitor import check_deadlines_flow, monitor, recrawl_agency
    from flows.revalidate import revalidate

    return [
        (
            monitor,
            {
                "name": "scheduled",
                "schedules": list(MONITOR_SCHEDULES),
                "tags": ["nianbao"],
                "entrypoint_type": MODULE,
                "description": "巡检全部登记单位：发现、下载、解析、检查、告警",
            },
        ),
        (
            recrawl_agency,
            {
                "name": "manual",
                "tags": ["nianbao", "manual"],
                "entrypoint_type": MODULE,
                "description": "手动重新抓取一个单位（参数 agency：代码、编号或名称；year 可选）",
            },
        ),
        (
            check_deadlines_flow,
            {
                "name": "daily",
                "schedules": list(DEADLINE_SCHEDULES),
                "tags": ["nianbao"],
                "entrypoint_type": MODULE,
                "description": "检查未发布、逾期发布和即将到期的单位",
            },
        ),
        (
            revalidate,
            {
                "name": "manual",
                "tags": ["nianbao", "manual"],
                "entrypoint_type": MODULE,
                "description": "规则更新后对已保存的报告重新检查（不重新下载）",
            },
        ),
    ]


def build_deployments() -> list:
    """The runner deployments (what deploy/prefect.yaml declares too)."""
    return [flow.to_deployment(**options) for flow, options in deployment_specs()]  # type: ignore[attr-defined]
