"""How a crawl run's agencies are split into Prefect tasks.

One task per agency is what the UI shows best (a task run per agency, named after it), and
every run of up to ``max_tasks`` agencies gets exactly that. But a Prefect task run costs the
server its three state events and its log lines, ≈60–100 ms of CPU measured here with a local
server on SQLite (`bench/cycle.py`), while crawling an agency whose portal answers quickly costs
≈50 ms: a run over thousands of agencies would spend much of the machine on Prefect. So a larger
run puts agencies of the same district together, never mixing districts (a district's
agencies mostly share one portal host, which the fetcher visits one request at a time anyway),
with the smallest group size that keeps the run at ``max_tasks`` task runs or fewer; logs,
outcomes and artifacts stay per agency.
"""

from __future__ import annotations

import math

from sqlmodel import col, select

from models.db import session_scope
from models.tables import Agency, Jurisdiction
from nianbao.settings import Settings


def group_size(district_sizes: list[int], max_tasks: int) -> int:
    """Agencies per task: 1 up to `max_tasks` agencies (or when `max_tasks` is 0), else the
    smallest size whose groups, counted district by district, number `max_tasks` at most (with
    more districts than `max_tasks`: one group per district)."""
    total = sum(district_sizes)
    if max_tasks <= 0 or total <= max_tasks:
        return 1
    size, largest = math.ceil(total / max_tasks), max(district_sizes)
    while size < largest and tasks_for(district_sizes, size) > max_tasks:
        size += 1
    return min(size, largest)


def tasks_for(district_sizes: list[int], size: int) -> int:
    return sum(math.ceil(n / size) for n in district_sizes)


def task_groups(settings: Settings, agency_codes: list[str], max_tasks: int) -> list[tuple[str, list[str]]]:
    """(task label, agency codes) per task, in the order of `agency_codes`; a group never
    mixes districts, and a district's groups are as even as can be (12 agencies in groups of
    at most 5: 4 + 4 + 4). The label names the agency, or the district and the group's place."""
    if max_tasks <= 0 or len(agency_codes) <= max_tasks:
        return [(code, [code]) for code in agency_codes]
    with session_scope(settings.db_url) as s:
        rows = s.exec(
            select(Agency.code, Jurisdiction.name)
            .join(Jurisdiction, col(Jurisdiction.id) == Agency.jurisdiction_id)
            .where(col(Agency.code).in_(agency_codes))
        ).all()
    district_of = dict(rows)
    by_district: dict[str, list[str]] = {}
    for code in agency_codes:
        by_district.setdefault(district_of.get(code, "?"), []).append(code)
    size = group_size([len(codes) for codes in by_district.values()], max_tasks)
    groups: list[tuple[str, list[str]]] = []
    for district, codes in by_district.items():
        k = math.ceil(len(codes) / size)
        parts = [codes[i * len(codes) // k : (i + 1) * len(codes) // k] for i in range(k)]
        for n, part in enumerate(parts, start=1):
            label = part[0] if len(part) == 1 else f"{district}-{n}of{k}-{len(part)}个单位"
            groups.append((label, part))
    return groups
