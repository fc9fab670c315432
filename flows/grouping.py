"""How a crawl run's agencies are split into Prefect tasks.

One task per agency is what the UI shows best (a task run per agency, named after it), and
every district-sized run gets exactly that. But a Prefect task run costs ≈8 ms of the flow's
CPU plus ≈10 ms of the server's (measured here, `bench/cycle.py`), while crawling an agency
whose portal answers quickly costs ≈45 ms: a run over thousands of agencies would spend a
fifth of its time on Prefect. So a run of more than ``max_tasks`` agencies puts a few
agencies of the same district in each task (the run stays at about ``max_tasks`` tasks,
whatever the number of agencies); logs, outcomes and artifacts stay per agency.
"""

from __future__ import annotations

import math

from sqlmodel import col, select

from models.db import session_scope
from models.tables import Agency, Jurisdiction
from nianbao.settings import Settings


def group_size(agencies: int, max_tasks: int) -> int:
    """Agencies per task: 1 up to `max_tasks` agencies (or when `max_tasks` is 0), else the
    smallest size that keeps the run at `max_tasks` tasks."""
    if max_tasks <= 0 or agencies <= max_tasks:
        return 1
    return math.ceil(agencies / max_tasks)


def task_groups(settings: Settings, agency_codes: list[str], max_tasks: int) -> list[tuple[str, list[str]]]:
    """(task label, agency codes) per task, in the order of `agency_codes`; a group never
    mixes districts. The label names the agency, or the district and the group's place."""
    size = group_size(len(agency_codes), max_tasks)
    if size == 1:
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
    groups: list[tuple[str, list[str]]] = []
    for district, codes in by_district.items():
        parts = [codes[i : i + size] for i in range(0, len(codes), size)]
        for k, part in enumerate(parts, start=1):
            label = part[0] if len(part) == 1 else f"{district}-{k}of{len(parts)}-{len(part)}个单位"
            groups.append((label, part))
    return groups
