"""The national plan's arithmetic: from figures per agency to workers and database size.

Why a module: deploy/README.md § National plan quotes what `plan` computes, and
`bench/national.py` feeds it what it measured on the replica and checks its host-time formula
(requests × (delay + answer time)) against the wall time each replica host actually took.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HOUR = 3600.0
DAY = 24 * HOUR


@dataclass(frozen=True)
class Nation:
    """What is out there, and how politely it is read."""

    agencies: int = 110_000
    hosts: int = 2_800  # district portals; a district's agencies publish on its portal (spec §1)
    delay_s: float = 1.0  # one request a second per host
    answer_s: float = 0.3  # a portal's answer time per request: an assumption (loopback ≈ 1 ms)

    @property
    def per_host(self) -> float:
        return self.agencies / self.hosts


@dataclass(frozen=True)
class Cycle:
    """One kind of cycle as measured per agency (`bench/national.py`)."""

    name: str
    requests: float  # HTTP requests per agency (robots.txt counted in `per_run_requests`)
    cpu_s: float  # worker CPU per agency, the flow run's fixed cost not included
    server_cpu_s: float  # Prefect server CPU per agency


@dataclass(frozen=True)
class RunCost:
    """What one flow run (a district) costs besides its agencies."""

    cpu_s: float  # process start, imports, preflight, deadline check, artifacts
    server_cpu_s: float
    rss_mb: float  # peak resident set of the run's process
    requests: float = 1.0  # robots.txt, once per host and process


@dataclass(frozen=True)
class Worker:
    """One worker machine of the process work pool."""

    cores: int = 2
    ram_mb: int = 4096
    utilisation: float = 0.7  # of its cores and memory, leaving room for spikes


def host_seconds(requests: float, nation: Nation) -> float:
    """Wall time one host needs for `requests`: the fetcher waits `delay` after each answer."""
    return requests * (nation.delay_s + nation.answer_s)


@dataclass(frozen=True)
class Plan:
    cycle: str
    window_s: float
    requests_per_host: float
    host_s: float  # one district portal, read politely
    fits: bool  # one host's reading fits in the window (politeness cannot be hurried)
    hosts_at_once: int  # district runs crawling at the same moment
    worker_cpu_s: float  # over the whole cycle
    server_cpu_s: float
    workers_for_cpu: int
    workers_for_runs: int
    workers: int
    server_cores: float


def plan(nation: Nation, cycle: Cycle, run: RunCost, window_s: float, worker: Worker | None = None) -> Plan:
    """How many workers a cycle over every agency needs to finish inside `window_s`.

    Each district is one flow run (one process on a worker) reading one host politely, so the
    hosts read at once are the district-seconds of the cycle over the window; the workers are
    enough for that many processes in memory and for the cycle's CPU, whichever is more."""
    worker = worker or Worker()
    per_host = nation.per_host * cycle.requests + run.requests
    host_s = host_seconds(per_host, nation)
    at_once = math.ceil(nation.hosts * host_s / window_s)
    at_once = min(at_once, nation.hosts) if host_s <= window_s else nation.hosts
    worker_cpu = nation.agencies * cycle.cpu_s + nation.hosts * run.cpu_s
    server_cpu = nation.agencies * cycle.server_cpu_s + nation.hosts * run.server_cpu_s
    for_cpu = math.ceil(worker_cpu / (window_s * worker.cores * worker.utilisation))
    runs_per_worker = max(1, math.floor(worker.ram_mb * worker.utilisation / run.rss_mb))
    for_runs = math.ceil(at_once / runs_per_worker)
    return Plan(
        cycle=cycle.name,
        window_s=window_s,
        requests_per_host=per_host,
        host_s=host_s,
        fits=host_s <= window_s,
        hosts_at_once=at_once,
        worker_cpu_s=worker_cpu,
        server_cpu_s=server_cpu,
        workers_for_cpu=for_cpu,
        workers_for_runs=for_runs,
        workers=max(for_cpu, for_runs),
        server_cores=server_cpu / (window_s * worker.utilisation),
    )


@dataclass(frozen=True)
class Storage:
    """Database and raw store, measured per agency."""

    db_bytes_per_report_year: float  # a first reading of one report year (reports, documents, findings…)
    db_bytes_per_cycle: float  # what every further cycle adds (the agency's crawl row, health…)
    rows_per_report_year: float
    rows_per_cycle: float
    raw_bytes_per_document: float  # the raw store keeps every version's bytes


def cycles_per_year() -> int:
    """Daily 1 January – 31 March, weekly (Mondays) otherwise: `flows/schedules.py`."""
    return 90 + 39


def yearly_storage(nation: Nation, storage: Storage, documents_per_agency_year: float = 1.0) -> dict:
    """Database rows and bytes, and raw-store bytes, that a year of monitoring adds."""
    cycles = cycles_per_year()
    rows = nation.agencies * (storage.rows_per_report_year + cycles * storage.rows_per_cycle)
    db = nation.agencies * (storage.db_bytes_per_report_year + cycles * storage.db_bytes_per_cycle)
    raw = nation.agencies * documents_per_agency_year * storage.raw_bytes_per_document
    return {"cycles": cycles, "rows": rows, "db_bytes": db, "raw_bytes": raw}


def prefect_yearly_bytes(nation: Nation, bytes_per_agency_cycle: float) -> float:
    """What the Prefect server's database grows by in a year of cycles (flow and task runs, their
    states, logs, artifacts, events) if nothing old is deleted: Prefect keeps runs and logs until
    they are deleted (its event retention covers events only)."""
    return nation.agencies * cycles_per_year() * bytes_per_agency_cycle
