"""A manual recrawl through a real Prefect server and `nianbao serve`: API and CLI."""

from __future__ import annotations

import json
import re
import subprocess
import time
from uuid import UUID

import pytest
from prefect.client.schemas.objects import FlowRun
from sqlmodel import select

from models.db import session_scope
from models.tables import Agency, Finding, Report
from tests.alerts.office_text import assert_office_text
from tests.e2e.api import api_post
from tests.e2e.conftest import AGENCY, BIN, RUN_NAME, YEAR, Stack
from tests.known import known

pytestmark = pytest.mark.e2e
CJK = re.compile(r"[\u4e00-\u9fff]")


def _artifacts(api_url: str, run_id) -> dict[str, dict]:
    """The run's artifacts by key, read back through the REST API (`POST /artifacts/filter`)."""
    body = {"artifacts": {"flow_run_id": {"any_": [str(run_id)]}}, "limit": 50, "offset": 0}
    found = api_post(api_url, "/artifacts/filter", body, timeout=10)
    return {a["key"]: a for a in found if a.get("key")}


def test_recrawl_through_the_api_records_report_finding_alert_and_artifacts(
    stack: Stack, recrawl_run
) -> None:
    assert recrawl_run.state.is_completed(), recrawl_run.state
    assert recrawl_run.name == RUN_NAME

    with session_scope(stack.db_url) as s:
        agency = s.exec(select(Agency).where(Agency.code == AGENCY)).one()
        reports = s.exec(select(Report).where(Report.agency_id == agency.id, Report.year == YEAR)).all()
        rules = {
            f.rule
            for f in s.exec(
                select(Finding).where(Finding.agency_id == agency.id, Finding.status == "fail")
            ).all()
        }
    assert reports and known(reports[0].url).startswith(stack.portal_url)
    assert "TEXT-TABLE" in rules

    received = "\n".join(str(m.get("title", "")) + str(m.get("message", "")) for m in stack.sink.messages)
    assert stack.sink.messages, "the webhook sink received nothing"
    assert "湛河区应急管理局" in received and CJK.search(received)

    artifacts = _artifacts(stack.server.api_url, recrawl_run.id)
    table = artifacts[f"compliance-{AGENCY}-{YEAR}"]
    assert table["type"] == "table"
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert [r["单位"] for r in rows] == ["湛河区应急管理局"]
    assert (
        rows[0]["问题"] == "正文与表格数据核对"
        and rows[0]["状态"] == "按时发布"
        and rows[0]["门户"] == "正常"
    )
    assert table["description"] == "2024年度年报合规情况（湛河区应急管理局）"
    findings = artifacts[f"findings-{AGENCY}-{YEAR}"]
    assert findings["type"] == "markdown"
    text = findings["data"]
    assert "正文与表格数据核对" in text and f"]({stack.portal_url}" in text and "原文：「" in text
    assert_office_text(text, single=False)  # no evidence key, rule codes only in the footer line
    assert text.splitlines()[-1] == "—— 规则编号：TEXT-TABLE（供技术人员查阅）"
    progress = artifacts[f"progress-{AGENCY}-{YEAR}"]
    assert progress["type"] == "progress" and float(progress["data"]) == 100.0


def _run_logs(api_url: str, run_id: object) -> str:
    logs = api_post(api_url, "/logs/filter", {"logs": {"flow_run_id": {"any_": [str(run_id)]}}}, timeout=10)
    return "\n".join(entry["message"] for entry in logs)


def test_a_mistyped_agency_fails_with_the_chinese_message_and_no_traceback(stack: Stack, recrawl_run) -> None:
    """What the office sees in the UI after typing 「zhanhe-yinji」 in the Custom run form."""
    from prefect.deployments import run_deployment

    run = run_deployment(
        "recrawl-agency/manual",
        parameters={"agency": "zhanhe-yinji", "year": YEAR},
        timeout=120,
        poll_interval=1,
    )
    assert isinstance(run, FlowRun)
    assert run.state is not None and run.state.is_failed(), run.state
    expected = "未找到单位“zhanhe-yinji”，您是不是要找：zhanhe-yingji（湛河区应急管理局）"
    assert run.state.message == expected
    text = ""
    for _ in range(30):  # logs reach the server in batches, after the state
        text = _run_logs(stack.server.api_url, run.id)
        if "Finished in state" in text:
            time.sleep(2)  # anything the engine logs after the state comes in the same second
            text = _run_logs(stack.server.api_url, run.id)
            break
        time.sleep(1)
    assert expected in text and "Traceback" not in text, text


def test_the_custom_run_form_describes_the_parameters_in_chinese(stack: Stack) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("recrawl-agency/manual")
    props = known(deployment.parameter_openapi_schema)["properties"]
    assert "单位代码" in props["agency"]["description"] and "报告年度" in props["year"]["description"]


def test_host_concurrency_limit_exists_for_the_portal(stack: Stack, recrawl_run) -> None:
    from prefect.client.orchestration import get_client

    from flows.politeness import limit_name

    host = stack.portal_url.split("://", 1)[1]
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(limit_name(host))
    assert limit.limit == 1 and limit.active_slots == 0


def test_prefect_cli_deployment_run(stack: Stack, recrawl_run) -> None:
    from prefect.client.orchestration import get_client

    result = subprocess.run(
        [
            str(BIN / "prefect"),
            "deployment",
            "run",
            "recrawl-agency/manual",
            "-p",
            f"agency={AGENCY}",
            "-p",
            f"year={YEAR}",
            "--watch",
            "--watch-timeout",
            "120",
        ],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"UUID: ([0-9a-f-]{36})", result.stdout)
    assert match, result.stdout
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(match.group(1)))
    assert run.state is not None and run.state.is_completed() and run.name == RUN_NAME
    assert run.parameters == {"agency": AGENCY, "year": YEAR}
