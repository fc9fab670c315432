"""Pieces of the work-pool test: `prefect deploy` of deploy/prefect.yaml, process workers, the
flow runs they hold, and killing a worker the way a lost machine goes (everything it started).

Kept out of the test module so the test reads as the scenario; each function does one step
through Prefect's own CLI or API, as an operator would."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from tests.e2e.conftest import BIN, REPO

T = TypeVar("T")
DEPLOY_FILE = REPO / "deploy" / "prefect.yaml"
AUTOMATIONS_FILE = REPO / "deploy" / "automations.yaml"
POOL = "nianbao"  # the pool deploy/prefect.yaml names


def poll(condition: Callable[[], T], timeout: float, what: str, every: float = 0.5) -> T:
    """`condition()` until it returns something truthy (returned); TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(every)


def prefect(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    """One `prefect` CLI command from the repository root; its output, or an error with it."""
    done = subprocess.run(
        [str(BIN / "prefect"), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"prefect {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def deploy_file_for_this_checkout(target: Path) -> Path:
    """deploy/prefect.yaml with one change: the pull step's working directory is this checkout
    (the file says /app, where the image has the code). Everything else is deployed as written."""
    spec = yaml.safe_load(DEPLOY_FILE.read_text(encoding="utf-8"))
    (step,) = spec["pull"]
    step["prefect.deployments.steps.set_working_directory"]["directory"] = str(REPO)
    target.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def automations_with(within: float) -> list[dict]:
    """deploy/automations.yaml with the lost-run window shortened to `within` seconds (the file
    says three beats of 60 s; the test beats every 30 s, Prefect's shortest)."""
    automations = yaml.safe_load(AUTOMATIONS_FILE.read_text(encoding="utf-8"))["automations"]
    for automation in automations:
        automation["trigger"]["within"] = within
    return automations


def deploy(env: dict[str, str], root: Path, crash_within: float) -> None:
    """What the compose `app` one-shot does: create the process pool, `prefect deploy` every
    deployment of deploy/prefect.yaml, create the automations (lost runs are marked Crashed).
    The pool and the automations through the API (a CLI start costs seconds of CPU here)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.events.schemas.automations import AutomationCore

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
        for automation in automations_with(crash_within):
            client.create_automation(AutomationCore.model_validate(automation))
    spec = deploy_file_for_this_checkout(root / "prefect.yaml")
    prefect(["--no-prompt", "deploy", "--all", "--prefect-file", str(spec)], env)


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_worker(name: str, env: dict[str, str], root: Path, limit: int) -> Worker:
    """`prefect worker start --pool nianbao --type process`, in a session of its own (so it can
    be killed with everything it starts, and nothing else)."""
    log = root / f"worker-{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "prefect"),
                "worker",
                "start",
                "--pool",
                POOL,
                "--type",
                "process",
                "--name",
                name,
                "--limit",
                str(limit),
            ],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(name, process, log)


def _children() -> dict[int, list[int]]:
    """pid -> its children's pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_like_a_lost_machine(worker: Worker) -> list[int]:
    """SIGKILL the worker's process group and that of every process it started: Prefect 3.8.8
    starts each flow run in a session of its own, so killing only the worker's group would
    leave its flow runs running to completion (not what a lost machine does). Returns the
    pids killed besides the worker."""
    others = descendants(worker.process.pid)
    groups = {os.getpgid(worker.process.pid)}
    for pid in others:
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(pid))
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    worker.process.wait(timeout=30)
    for pid in others:
        poll(_gone(pid), 30, f"process {pid} gone")
    return others


def _gone(pid: int) -> Callable[[], bool]:
    return lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def stop_worker(worker: Worker) -> None:
    if worker.process.poll() is not None:
        return
    os.killpg(worker.process.pid, signal.SIGTERM)
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)


def worker_of(flow_run_id: str, workers: list[Worker]) -> Worker | None:
    """The worker that ran the flow run: a process worker streams its flow runs' output, whose
    engine logs the run's address (``… View at …/flow-run/<id>``). Both workers log
    "submitting flow run <id>" for a run they race for, so that line does not tell."""
    found = [w for w in workers if f"/flow-run/{flow_run_id}" in w.text()]
    return found[0] if len(found) == 1 else None


def worker_running(infrastructure_pid: str, workers: list[Worker]) -> Worker | None:
    """The worker whose child the flow run's process is (the pid the worker reported)."""
    pid = int(str(infrastructure_pid).rsplit(":", 1)[-1])
    try:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return None
    return next((w for w in workers if w.process.pid == ppid), None)
