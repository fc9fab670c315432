"""How a crawl run's agencies are split into Prefect tasks.

One task per agency is what the UI shows best (a task run per agency, named after it), and a
run of up to ``per_task`` agencies (NIANBAO_AGENCIES_PER_TASK, 10: a manual recrawl, a small
district) gets exactly that. But a Prefect task run costs the server its three state events and
its log lines, ≈60–110 ms of CPU measured here with a local server on SQLite (`bench/cycle.py`),
while crawling an unchanged agency costs a few ms: per-district runs of 100 agencies across the
country would spend more CPU in the Prefect server than in the crawl. So a larger run puts
about ``per_task`` agencies of the same district in a task, and never makes more than
``max_tasks`` tasks: the smallest group size that keeps the run within its budget (a district's agencies mostly share one portal host,
which the fetcher visits one request at a time anyway). Only when the run has more districts
than ``max_tasks`` does a task take several whole districts, neighbours in the run's order; a
district is never split across such tasks. Logs, outcomes and artifacts stay per agency.
"""

from __future__ import annotations

import math

from nianbao.crawl.lookup import district_names
from nianbao.runtime.settings import Settings


def group_size(district_sizes: list[int], max_tasks: int) -> int:
    """Agencies per task: 1 up to `max_tasks` agencies (or when `max_tasks` is 0), else the
    smallest size whose groups, counted district by district, number `max_tasks` at most (with
    more districts than `max_tasks`: one group per district, which `pack_districts` then joins)."""
    total = sum(district_sizes)
    if max_tasks <= 0 or total <= max_tasks:
        return 1
    size, largest = math.ceil(total / max_tasks), max(district_sizes)
    while size < largest and tasks_for(district_sizes, size) > max_tasks:
        size += 1
    return min(size, largest)


def tasks_for(district_sizes: list[int], size: int) -> int:
    return sum(math.ceil(n / size) for n in district_sizes)


def pack_districts(district_sizes: list[int], max_tasks: int) -> list[list[int]]:
    """Indexes of whole districts per task, in order, at most `max_tasks` tasks, each holding
    about as many agencies as the others: a task closes once the districts so far reach its
    share of the run (task k ends at the first district where the running total reaches
    k/max_tasks of all agencies)."""
    total = sum(district_sizes)
    bins: list[list[int]] = [[]]
    running = 0
    for i, n in enumerate(district_sizes):
        bins[-1].append(i)
        running += n
        if running * max_tasks >= len(bins) * total and i < len(district_sizes) - 1:
            bins.append([])
    return bins


def task_budget(agencies: int, max_tasks: int, per_task: int = 1) -> int:
    """Tasks a run of `agencies` may have: one per agency up to `per_task` agencies (a recrawl, a
    small district), else about `per_task` agencies a task, never more than `max_tasks` tasks
    (0: no limit, one task per agency)."""
    if max_tasks <= 0:
        return agencies
    if per_task > 1 and agencies > per_task:
        return min(max_tasks, math.ceil(agencies / per_task))
    return min(max_tasks, agencies)


def task_groups(
    settings: Settings, agency_codes: list[str], max_tasks: int, per_task: int = 1
) -> list[tuple[str, list[str]]]:
    """(task label, agency codes) per task, in the order of `agency_codes`, at most
    `task_budget` tasks; a district's groups are as even as can be (12 agencies in groups of at
    most 5: 4 + 4 + 4), and only with more districts than that budget does a task hold several
    (whole) districts. The label names the agency; a group's, its district, its place and its
    first and last agency; several districts', the first district and how many."""
    max_tasks = task_budget(len(agency_codes), max_tasks, per_task)
    if len(agency_codes) <= max_tasks:
        return [(code, [code]) for code in agency_codes]
    district_of = district_names(settings, agency_codes)
    by_district: dict[str, list[str]] = {}
    for code in agency_codes:
        by_district.setdefault(district_of.get(code, "?"), []).append(code)
    districts = list(by_district.items())
    if len(districts) > max_tasks:
        groups = []
        for members in pack_districts([len(codes) for _, codes in districts], max_tasks):
            codes = [c for i in members for c in districts[i][1]]
            first = districts[members[0]][0]
            label = first if len(members) == 1 else f"{first}等{len(members)}个区"
            groups.append((f"{label}-{codes[0]}至{codes[-1]}-{len(codes)}个单位", codes))
        return groups
    size = group_size([len(codes) for _, codes in districts], max_tasks)
    groups = []
    for district, codes in districts:
        k = math.ceil(len(codes) / size)
        parts = [codes[i * len(codes) // k : (i + 1) * len(codes) // k] for i in range(k)]
        for n, part in enumerate(parts, start=1):
            label = (
                part[0] if len(part) == 1 else f"{district}-{n}of{k}-{part[0]}至{part[-1]}-{len(part)}个单位"
            )
            groups.append((label, part))
    return groups
