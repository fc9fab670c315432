"""`nianbao serve` starts each flow run's process warm: forked from a server process that has
imported Prefect and the flows, not a fresh interpreter (bench/recrawl.py measures the gain).
Checked in a child interpreter: the patch is process-wide."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from prefect import flow_engine
from flows.serve import warm_flow_processes

def report(queue):
    queue.put(sorted(m for m in ("flows.monitor", "prefect.flow_engine", "sqlmodel") if m in sys.modules))

if __name__ == "__main__":
    warm_flow_processes()
    context = flow_engine.multiprocessing.get_context("spawn")  # what Prefect asks for
    queue = context.Queue()
    process = context.Process(target=report, args=(queue,))
    process.start()
    preloaded = queue.get(timeout=120)
    process.join(timeout=60)
    print(json.dumps({"method": context.get_start_method(), "preloaded": preloaded, "exit": process.exitcode}))
"""


def test_a_run_process_is_forked_with_the_flows_already_imported(tmp_path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer == {
        "method": "forkserver",
        "preloaded": ["flows.monitor", "prefect.flow_engine", "sqlmodel"],
        "exit": 0,
    }


def test_the_served_deployments_are_the_declared_ones() -> None:
    from flows.schedules import build_deployments, deployment_specs

    specs = deployment_specs()
    built = build_deployments()
    names = [(f.name, o["name"]) for f, o in specs]  # type: ignore[attr-defined]
    assert names == [(d.flow_name, d.name) for d in built]


def test_the_runner_polls_every_second_unless_told(monkeypatch) -> None:
    from flows.serve import POLL_SECONDS, poll_seconds

    monkeypatch.delenv("PREFECT_RUNNER_POLL_FREQUENCY", raising=False)
    assert poll_seconds() == POLL_SECONDS == 1.0
    monkeypatch.setenv("PREFECT_RUNNER_POLL_FREQUENCY", "7")
    assert poll_seconds() == 7.0
