"""A real Prefect server, the sample portal, a webhook sink and `nianbao serve` in a subprocess.

Everything listens on 127.0.0.1 and is stopped at the end of the session (killed if it
does not stop). The test process talks to the server only through the Prefect API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from prefect.client.schemas.objects import FlowRun

from alerts.sink import WebhookSink
from flows.server import PrefectServer

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
YEAR = 2024
AGENCY = "zhanhe-yingji"
RUN_NAME = f"重新抓取-平顶山市湛河区-湛河区应急管理局-{YEAR}年度"  # district, agency, year


@dataclass
class Stack:
    """What the e2e tests talk to."""

    server: PrefectServer
    root: Path
    env: dict[str, str]
    portal_url: str
    sink: WebhookSink
    db_url: str
    serve_log: Path
    processes: list[subprocess.Popen] = field(default_factory=list)


def _stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_for_deployment(name: str, timeout: float, serve: subprocess.Popen, log: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if serve.poll() is not None:
                raise RuntimeError(f"`nianbao serve` exited ({serve.returncode}):\n{log.read_text()[-3000:]}")
            try:
                client.read_deployment_by_name(name)
                return
            except ObjectNotFound:
                time.sleep(0.5)
    raise TimeoutError(f"deployment {name} not registered after {timeout:.0f}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def stack(prefect_server: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Sample portal + sink + registry + apprise config + `nianbao serve` against the server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from alerts.config import write_demo_config
    from alerts.sink import start_webhook_sink
    from nianbao.cli.demo import demo_registry
    from replicas.sample_portal import SAMPLE_AGENCIES, start_sample_portal

    root = tmp_path_factory.mktemp("nianbao")
    portal = start_sample_portal(port=0)
    sink = start_webhook_sink(port=0, store=root / "alerts-received.jsonl")
    processes: list[subprocess.Popen] = []
    try:
        (root / "agencies.yaml").write_text(
            yaml.safe_dump(demo_registry(SAMPLE_AGENCIES, portal.base_url), allow_unicode=True),
            encoding="utf-8",
        )
        districts = tuple(dict.fromkeys(a["district_code"] for a in SAMPLE_AGENCIES))
        write_demo_config(root / "apprise.yml", sink.url, districts=districts)
        env = {
            **os.environ,
            "NIANBAO_DATA_DIR": str(root),
            "NIANBAO_REGISTRY_PATH": str(root / "agencies.yaml"),
            "NIANBAO_APPRISE_CONFIG": str(root / "apprise.yml"),
            "NIANBAO_ALLOW_PRIVATE_HOSTS": "true",
            "NIANBAO_PER_HOST_DELAY": "0",
            "NIANBAO_DATABASE_URL": "",
            "PREFECT_API_URL": prefect_server.api_url,
            "PREFECT_HOME": str(root / "prefect-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        }
        subprocess.run(
            [str(BIN / "nianbao"), "agencies", "sync"], env=env, cwd=root, check=True, capture_output=True
        )
        serve_log = root / "serve.log"
        with open(serve_log, "wb") as log:
            serve = subprocess.Popen(
                [str(BIN / "nianbao"), "serve"], env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT
            )
        processes.append(serve)
        with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
            _wait_for_deployment("recrawl-agency/manual", 90, serve, serve_log)
            yield Stack(
                server=prefect_server,
                root=root,
                env=env,
                portal_url=portal.base_url,
                sink=sink,
                db_url=f"sqlite:///{root / 'nianbao.db'}",
                serve_log=serve_log,
                processes=processes,
            )
    finally:
        for process in processes:
            _stop(process)
        portal.stop()
        sink.stop()


@pytest.fixture(scope="session")
def recrawl_run(stack: Stack):
    """`recrawl-agency/manual` triggered through the API, waited for (the FlowRun)."""
    from prefect.deployments import run_deployment

    run = run_deployment(
        "recrawl-agency/manual", parameters={"agency": AGENCY, "year": YEAR}, timeout=120, poll_interval=1
    )
    assert isinstance(run, FlowRun)  # called from sync code (Prefect types it either way)
    assert run.state is not None and run.state.is_final(), (
        f"flow run not finished: {run.state}\n{stack.serve_log.read_text()[-3000:]}"
    )
    return run
