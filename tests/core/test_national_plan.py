"""The national plan's arithmetic (bench/national_plan.py), which deploy/README.md § National plan
quotes through bench/national_docs.py."""

from __future__ import annotations

import math

from bench.national_plan import (
    HOUR,
    Cycle,
    Nation,
    RunCost,
    Storage,
    Worker,
    cycles_per_year,
    host_seconds,
    plan,
    prefect_yearly_bytes,
    yearly_storage,
)

NATION = Nation(agencies=1_000, hosts=10, delay_s=1.0, answer_s=0.5)
RUN = RunCost(cpu_s=3.0, server_cpu_s=0.5, rss_mb=200.0, requests=1.0)


def test_a_portal_is_read_at_its_delay_plus_the_answer_time() -> None:
    assert host_seconds(100, NATION) == 150.0
    p = plan(NATION, Cycle("c", requests=10, cpu_s=0.1, server_cpu_s=0.01), RUN, window_s=HOUR)
    assert p.requests_per_host == 100 * 10 + 1  # 100 agencies a portal, robots.txt once
    assert p.host_s == 1001 * 1.5 and p.fits
    assert p.hosts_at_once == math.ceil(10 * 1001 * 1.5 / HOUR)


def test_workers_are_the_more_of_cpu_and_memory() -> None:
    worker = Worker(cores=2, ram_mb=1000, utilisation=0.5)  # 2 runs of 200 MB a machine
    p = plan(NATION, Cycle("c", requests=10, cpu_s=0.1, server_cpu_s=0.01), RUN, HOUR, worker)
    assert p.worker_cpu_s == 1_000 * 0.1 + 10 * 3.0
    assert p.workers_for_cpu == math.ceil(130 / (HOUR * 2 * 0.5))
    assert p.workers_for_runs == math.ceil(p.hosts_at_once / 2)
    assert p.workers == max(p.workers_for_cpu, p.workers_for_runs)
    assert p.server_cores == (1_000 * 0.01 + 10 * 0.5) / (HOUR * 0.5)


def test_a_portal_longer_than_the_window_keeps_every_district_running() -> None:
    p = plan(NATION, Cycle("c", requests=100, cpu_s=0.0, server_cpu_s=0.0), RUN, window_s=HOUR)
    assert not p.fits and p.hosts_at_once == NATION.hosts


def test_a_year_is_the_report_year_plus_every_cycle() -> None:
    s = Storage(
        db_bytes_per_report_year=10_000,
        db_bytes_per_cycle=500,
        rows_per_report_year=4,
        rows_per_cycle=1,
        raw_bytes_per_document=8_000,
    )
    year = yearly_storage(NATION, s)
    assert year["cycles"] == cycles_per_year() == 129
    assert year["db_bytes"] == 1_000 * (10_000 + 129 * 500)
    assert year["rows"] == 1_000 * (4 + 129)
    assert year["raw_bytes"] == 1_000 * 8_000
    assert prefect_yearly_bytes(NATION, 6_000) == 1_000 * 129 * 6_000
