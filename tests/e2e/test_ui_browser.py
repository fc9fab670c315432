"""The Prefect UI in headless Chromium shows the Chinese flow-run name and the compliance artifact."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.api import api_post
from tests.e2e.conftest import AGENCY, BIN, REPO, RUN_NAME, YEAR, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if path is None:
        message = "Chromium not found: run scripts/system-packages.sh (installs chromium, fonts-wqy-microhei)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _chrome(args: list[str], profile: Path, budget_ms: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )


def _dom_with(url: str, needles: list[str], profile: Path, tries: int = 4) -> str:
    """`--dump-dom` until every needle is in the rendered page (the UI loads data after boot)."""
    dom = ""
    for attempt in range(tries):
        dom = _chrome(["--dump-dom", url], profile, budget_ms=8000 + 4000 * attempt).stdout
        if all(n in dom for n in needles):
            return dom
        time.sleep(1)
    return dom


# What the findings artifact showed before evidence went through alerts/evidence.py.
INTERNAL_KEYS = (
    "依据：",
    "table_value",
    "row_label",
    "column_label",
    "offset=",
    "phrase",
    "cells=",
    "[warning]",
)


def _artifact_id(api_url: str, key: str, flow_run_id: object = None) -> str:
    """The artifact of that key (of that flow run: later runs publish the same key)."""
    where: dict = {"key": {"any_": [key]}}
    if flow_run_id is not None:
        where["flow_run_id"] = {"any_": [str(flow_run_id)]}
    body = {"artifacts": where, "limit": 1, "offset": 0}
    found = api_post(api_url, "/artifacts/filter", body, timeout=10)
    return found[0]["id"]


def test_ui_shows_the_run_and_its_compliance_artifact(stack: Stack, recrawl_run, tmp_path: Path) -> None:
    ui = stack.server.ui_url
    profile = tmp_path / "chromium-profile"

    runs_dom = _dom_with(f"{ui}/runs", [RUN_NAME], profile)
    assert RUN_NAME in runs_dom, f"flow run name not on {ui}/runs; DOM starts: {runs_dom[:500]}"

    run_page = f"{ui}/runs/flow-run/{recrawl_run.id}"
    run_dom = _dom_with(run_page, [RUN_NAME], profile)
    assert RUN_NAME in run_dom

    key = f"compliance-{AGENCY}-{YEAR}"
    key_dom = _dom_with(f"{ui}/artifacts/key/{key}", [key, "年报合规情况", RUN_NAME], profile)
    assert key in key_dom and "年报合规情况" in key_dom and RUN_NAME in key_dom
    artifact_id = _artifact_id(stack.server.api_url, key)
    table_dom = _dom_with(
        f"{ui}/artifacts/artifact/{artifact_id}", ["湛河区应急管理局", "正文与表格数据核对"], profile
    )
    assert "湛河区应急管理局" in table_dom and "正文与表格数据核对" in table_dom, table_dom[-1500:]
    assert "TEXT-TABLE" not in table_dom and ">ok<" not in table_dom

    findings_id = _artifact_id(stack.server.api_url, f"findings-{AGENCY}-{YEAR}", recrawl_run.id)
    findings_dom = _dom_with(
        f"{ui}/artifacts/artifact/{findings_id}", ["原文：「", "正文与表格数据核对"], profile
    )
    assert "原文：「" in findings_dom, findings_dom[-1500:]
    for internal in INTERNAL_KEYS:
        assert internal not in findings_dom, internal

    shot = tmp_path / "flow-run.png"
    result = _chrome([f"--screenshot={shot}", run_page], profile, budget_ms=12000)
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    out = REPO / "test-output"
    out.mkdir(exist_ok=True)
    shutil.copy(shot, out / "prefect-ui-flow-run.png")


def test_report_page_reads_as_the_office_reads_it(stack: Stack, recrawl_run, tmp_path: Path) -> None:
    """`nianbao report --html` opened in Chromium: summary, 「截至」, charts drawn (inline SVG),
    links, and none of the program's inside in the text a person sees."""
    from tests.alerts.office_text import assert_office_text

    page = tmp_path / "report.html"
    result = subprocess.run(
        [
            str(BIN / "nianbao"),
            "report",
            "--year",
            str(YEAR),
            "--html",
            str(page),
            "--xlsx",
            str(tmp_path / "r.xlsx"),
        ],
        env=stack.env,
        cwd=stack.root,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    profile = tmp_path / "chromium-profile"
    dom = _dom_with(page.as_uri(), ["截至", "概况"], profile)
    assert "截至" in dom and "按时发布" in dom and "<svg" in dom
    assert 'href="' + stack.portal_url in dom  # links to the reports
    body = dom.split("<body>", 1)[1]
    text = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    assert_office_text(text, single=False, repeated_lines=False)
    shot = tmp_path / "report.png"
    _chrome([f"--screenshot={shot}", page.as_uri()], profile, budget_ms=4000)
    out = REPO / "test-output"
    out.mkdir(exist_ok=True)
    if shot.exists():
        shutil.copy(shot, out / "compliance-report.png")
