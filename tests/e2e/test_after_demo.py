"""The README's path after the demo, as a new user follows it: `nianbao demo`, then
`nianbao serve --demo`; the UI's API lists the demo's run and the deployments, on the demo's
data, and a recrawl started from the UI (the API call its Run button makes) completes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.server import free_port
from tests.e2e.api import api_post
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.e2e
DEMO_RUN = "年报巡检-全部辖区-2024年度"
RECRAWL_RUN = "重新抓取-平顶山市湛河区-湛河区应急管理局-2024年度"


def _clean_env() -> dict[str, str]:
    """A shell as the README assumes it: no Prefect or nianbao settings of the test session."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NIANBAO_"))}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"
    return env


def _post(api: str, path: str, body: dict) -> Any:
    return api_post(api, path, body)


DEPLOYMENTS = {"scheduled", "manual", "daily"}


def _wait_for_deployments(api: str, serve: subprocess.Popen, log: Path, timeout: float = 150) -> dict:
    """The recrawl deployment, once `serve` has registered all of its deployments (it registers
    them one by one: on a busy machine the last comes seconds after the first)."""
    deadline = time.monotonic() + timeout
    names: set[str] = set()
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            raise AssertionError(f"`nianbao serve --demo` exited:\n{log.read_text()[-3000:]}")
        try:
            found = _post(api, "/deployments/filter", {})
            names = {d["name"] for d in found}
            recrawl = [d for d in found if d.get("entrypoint", "").endswith("recrawl_agency")]
            if names >= DEPLOYMENTS and recrawl:
                return recrawl[0]
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"deployments after {timeout:.0f}s: {sorted(names)}:\n{log.read_text()[-3000:]}")


def test_after_the_demo_serve_shows_its_runs_and_a_recrawl_from_the_ui_works(tmp_path: Path) -> None:
    env = _clean_env()
    demo = subprocess.run(
        [str(BIN / "nianbao"), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "nianbao serve --demo" in demo.stdout  # the demo names the next step

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        serve = subprocess.Popen(
            [str(BIN / "nianbao"), "serve", "--demo", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deployment = _wait_for_deployments(api, serve, log)
        runs = _post(api, "/flow_runs/filter", {"limit": 20})
        assert (DEMO_RUN, "COMPLETED") in [(r["name"], r["state_type"]) for r in runs]
        names = {d["name"] for d in _post(api, "/deployments/filter", {})}
        assert names == DEPLOYMENTS  # nothing more

        run = _post(
            api,
            f"/deployments/{deployment['id']}/create_flow_run",
            {"parameters": {"agency": "zhanhe-yingji", "year": 2024}},
        )
        state = None
        for _ in range(120):
            state = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=10).json()
            if state["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            time.sleep(1)
        assert state is not None and state["state_type"] == "COMPLETED", (state, log.read_text()[-3000:])
        assert state["name"] == RECRAWL_RUN
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait(timeout=10)
