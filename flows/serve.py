"""Serve every deployment with its schedule from one process (the embedded way to run).

A manual recrawl should show its artifacts a few seconds after the click; measured
(bench/recrawl.py) most of the wait was not the run: the runner's poll (every 10 s by default)
and the process Prefect starts for each run, `python -m prefect.engine`, a fresh interpreter
importing Prefect and the flows again (18–26 s on the loaded machine). So here the runner polls
every `POLL_SECONDS` unless PREFECT_RUNNER_POLL_FREQUENCY says otherwise, holds the flows
themselves, and each run's process is forked from a server process that imported Prefect and
the flows once (multiprocessing's forkserver with those modules preloaded).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from types import ModuleType
from typing import Any

from flows.schedules import deployment_specs

POLL_SECONDS = 1.0  # one cheap query to the server per poll
WARM_MODULES = (
    "prefect.flow_engine",
    "flows.monitor",
    "flows.revalidate",
    "reports.parse.document",
    "alembic.script",  # the schema check at a run's start
    "alembic.runtime.migration",
)


class _ForkServerMultiprocessing(ModuleType):
    """`multiprocessing` as prefect.flow_engine sees it, with "spawn" answered by the warm
    forkserver context: Prefect asks for a spawn context by name when it starts a run's process."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        super().__init__("multiprocessing")
        self._context = context

    def get_context(self, method: str | None = None) -> Any:
        return self._context if method in (None, "spawn") else multiprocessing.get_context(method)

    def __getattr__(self, name: str) -> Any:
        return getattr(multiprocessing, name)


def warm_flow_processes(modules: tuple[str, ...] = WARM_MODULES) -> multiprocessing.context.BaseContext:
    """Start the forkserver with `modules` imported and have Prefect fork each run's process
    from it. The forked process still sets the run's environment and a fresh Prefect settings
    context before the flow starts (prefect.flow_engine.run_flow_in_subprocess), as a spawned
    one does."""
    from multiprocessing import forkserver

    from prefect import flow_engine

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(modules))
    forkserver.ensure_running()  # imports now, not at the first click
    vars(flow_engine)["multiprocessing"] = _ForkServerMultiprocessing(context)  # the module global it reads
    return context


def poll_seconds() -> float:
    """PREFECT_RUNNER_POLL_FREQUENCY when it is set, else `POLL_SECONDS`."""
    configured = os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY")
    return float(configured) if configured else POLL_SECONDS


def serve_all(limit: int | None = None) -> None:
    """The deployments of `deployment_specs` on one runner. Added with their flows
    (`Runner.add_flow`), so a run is started from the flow object in a process forked warm
    (`warm_flow_processes`); `prefect.serve` of deployments would start `python -m prefect.engine`,
    which imports everything again, for every run."""
    import asyncio

    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    warm_flow_processes()
    # pause_on_shutdown=False: stopping this process must not pause the schedules.
    runner = Runner(pause_on_shutdown=False, limit=limit, query_seconds=poll_seconds())
    for flow, options in deployment_specs():
        runner.add_flow(flow, **options)  # type: ignore[arg-type]
    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):  # a stop, not a failure
        asyncio.run(runner.start())
