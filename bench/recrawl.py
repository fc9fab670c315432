"""A manual recrawl through a served deployment: from the click to its artifacts, and where the
time goes.

A real `prefect server start` (SQLite) on 127.0.0.1, the bundled sample portal, a registry for
it, `nianbao serve` in a subprocess. Each click is `create_flow_run_from_deployment` on
`recrawl-agency/manual` (what the UI's Run button sends); then the run's state history (the
server's timestamps) splits the time:

* pickup  — scheduled → pending: until the served runner's poll sees the run;
* start   — pending → running: the runner starts a process for the run (Prefect spawns a fresh
  interpreter, which imports Prefect and the flow's modules) and the engine proposes Running;
* run     — running → completed: the flow itself (crawl, checks, deadline check, artifacts,
  alert delivery);
* artifacts — completed → the run's compliance and findings artifacts readable through the API.

    .venv/bin/python bench/recrawl.py [--clicks 5] [--poll SECONDS] [--write-docs]

`--poll` sets PREFECT_RUNNER_POLL_FREQUENCY for `nianbao serve` (unset: what `nianbao serve`
chooses). CPU of the serve process tree is read from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AGENCY = "zhanhe-yingji"
YEAR = 2024


def _wait_deployment(name: str, serve: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if serve.poll() is not None:
                raise RuntimeError(log.read_text()[-3000:])
            try:
                client.read_deployment_by_name(name)
                return
            except ObjectNotFound:
                time.sleep(0.2)
    raise TimeoutError(log.read_text()[-3000:])


def click(client: Any, deployment_id: Any, api_url: str) -> dict:
    """One recrawl: the times (s) from the click to each state and to the artifacts."""
    import httpx

    clicked = time.time()
    run = client.create_flow_run_from_deployment(deployment_id, parameters={"agency": AGENCY, "year": YEAR})
    while True:
        state = client.read_flow_run(run.id).state
        if state is not None and state.is_final():
            break
        time.sleep(0.05)
    wanted = {f"compliance-{AGENCY}-{YEAR}", f"findings-{AGENCY}-{YEAR}"}
    while True:
        body = {"artifacts": {"flow_run_id": {"any_": [str(run.id)]}}, "limit": 50, "offset": 0}
        found = httpx.post(f"{api_url}/artifacts/filter", json=body, timeout=10).json()
        if wanted <= {a.get("key") for a in found}:
            break
        time.sleep(0.05)
    artifacts_at = time.time()
    states = {s.type.value: s.timestamp.timestamp() for s in client.read_flow_run_states(run.id)}
    if "COMPLETED" not in states:
        raise RuntimeError(f"run ended {state.type}: {state.message}")
    return {
        "pickup_s": round(states["PENDING"] - clicked, 2),
        "start_s": round(states["RUNNING"] - states["PENDING"], 2),
        "run_s": round(states["COMPLETED"] - states["RUNNING"], 2),
        "artifacts_s": round(artifacts_at - states["COMPLETED"], 2),
        "total_s": round(artifacts_at - clicked, 2),
    }


def tree_cpu(pid: int) -> float:
    from bench.cycle import tree_cpu_seconds

    return tree_cpu_seconds(pid)


def measure(clicks: int, poll: str | None, keep_log: Path | None = None) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.server import free_port, start_local_server
    from nianbao.cli.demo import demo_registry
    from replicas.sample_portal import SAMPLE_AGENCIES, start_sample_portal

    with tempfile.TemporaryDirectory(prefix="bench-recrawl-") as tmp:
        root = Path(tmp)
        server = start_local_server(free_port(), home=root / "prefect-server", timeout=180)
        portal = start_sample_portal(port=0)
        serve = None
        try:
            (root / "agencies.yaml").write_text(
                yaml.safe_dump(demo_registry(SAMPLE_AGENCIES, portal.base_url), allow_unicode=True),
                encoding="utf-8",
            )
            env = {
                **os.environ,
                "NIANBAO_DATA_DIR": str(root),
                "NIANBAO_REGISTRY_PATH": str(root / "agencies.yaml"),
                "NIANBAO_APPRISE_CONFIG": str(root / "no-apprise.yml"),
                "NIANBAO_ALLOW_PRIVATE_HOSTS": "true",
                "NIANBAO_PER_HOST_DELAY": "0",
                "NIANBAO_DATABASE_URL": "",
                "PREFECT_API_URL": server.api_url,
                "PREFECT_HOME": str(root / "prefect-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            }
            env.pop("PREFECT_RUNNER_POLL_FREQUENCY", None)
            if poll:
                env["PREFECT_RUNNER_POLL_FREQUENCY"] = poll
            subprocess.run(
                [str(BIN / "nianbao"), "agencies", "sync"], env=env, cwd=root, check=True, capture_output=True
            )
            log = root / "serve.log"
            with open(log, "wb") as out:
                serve = subprocess.Popen(
                    [str(BIN / "nianbao"), "serve"], env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT
                )
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                _wait_deployment("recrawl-agency/manual", serve, log)
                results = []
                with get_client(sync_client=True) as client:
                    deployment = client.read_deployment_by_name("recrawl-agency/manual")
                    cpu0 = tree_cpu(serve.pid)
                    for _ in range(clicks):
                        results.append(click(client, deployment.id, server.api_url))
                        print(json.dumps(results[-1]), flush=True)
                    serve_cpu = (tree_cpu(serve.pid) - cpu0) / clicks  # children that ended are not counted
        finally:
            if serve is not None:
                serve.terminate()
                try:
                    serve.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    serve.kill()
            if keep_log is not None and (root / "serve.log").exists():
                keep_log.write_bytes((root / "serve.log").read_bytes())
            portal.stop()
            server.stop()
    keys = ["pickup_s", "start_s", "run_s", "artifacts_s", "total_s"]
    return {
        "poll": poll or "default",
        "clicks": clicks,
        **{k: round(median(r[k] for r in results), 2) for k in keys},
        "total_range": (min(r["total_s"] for r in results), max(r["total_s"] for r in results)),
        "serve_cpu_per_click_s": round(serve_cpu, 2),
    }


def write_docs(rows: list[dict], command: str, load: str) -> None:
    from bench.cycle import machine
    from bench.docs import replace_section

    heading = "## Manual recrawl (served deployment)"
    table = [
        "| runner poll | clicks | pickup (s) | process start (s) | run (s) | artifacts (s) | click → artifacts (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        low, high = r["total_range"]
        table.append(
            f"| {r['poll']} | {r['clicks']} | {r['pickup_s']} | {r['start_s']} | {r['run_s']} | {r['artifacts_s']} "
            f"| {r['total_s']} ({low}–{high}) |"
        )
    section = "\n".join(
        [
            heading,
            "",
            f"Machine: {machine()}; {load}. `bench/recrawl.py`: a real Prefect server (SQLite), the sample "
            f"portal, `nianbao serve`; each click creates a `recrawl-agency/manual` run for {AGENCY} (what the "
            "UI's Run button sends) and waits for its compliance and findings artifacts. The split comes from "
            "the run's state timestamps on the server: pickup = until the served runner's poll sees the run, "
            "process start = the runner's new interpreter importing Prefect and the flow until Running, run = "
            "the flow itself, artifacts = until both artifacts are readable. Medians over the clicks, the "
            "range of the total in brackets. Wall times: the machine is shared, so they move with its load.",
            "",
            *table,
            "",
            f"Command: `.venv/bin/python bench/recrawl.py {command} --write-docs`.",
            "",
        ]
    )
    replace_section(heading, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--poll", action="append", help="PREFECT_RUNNER_POLL_FREQUENCY values to compare")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--load-note", default="")
    parser.add_argument("--serve-log", type=Path, help="keep the last `nianbao serve` log here")
    args = parser.parse_args()
    load = args.load_note or f"load average {os.getloadavg()[0]:.1f} at the start"
    rows = [measure(args.clicks, p, args.serve_log) for p in (args.poll or [None])]
    for r in rows:
        print(json.dumps(r))
    if args.write_docs:
        flags = f"--clicks {args.clicks}" + "".join(f" --poll {p}" for p in args.poll or [])
        write_docs(rows, flags, load)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
