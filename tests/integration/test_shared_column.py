"""A district's shared report column read once per run, not once per agency (scrapers/run_memo.py).

The spec's usual layout (§1): every agency of a district listed in one column. Each agency's
crawl reads that column and its articles to find its own report; within one `monitor` run the
portal must be asked for each page once, and what every agency records must be what it records
when it asks for everything itself (the same run with the memo off)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.db import migrate, session_scope
from replicas.multihost import MultiHostReplica
from replicas.national import national_replica
from tests.integration.conftest import demo_environment

AGENCIES = 6
YEARS = (2023, 2024)


def _registry(agencies: list, base: str) -> dict:
    host = base.removeprefix("http://")
    return {
        "settings": {"deadline_inclusive": True, "due_soon_days": 14},
        "jurisdictions": [
            {
                "code": "shared-0",
                "name": "全国0区",
                "agencies": [
                    {
                        "code": f"shared-0-{i:02d}",
                        "name": a.name,
                        "kind": "department",
                        "entry_urls": [base + a.entry_path],
                        "allowed_hosts": [host],
                    }
                    for i, a in enumerate(agencies)
                ],
            }
        ],
    }


@pytest.fixture
def district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness) -> Iterator[MultiHostReplica]:
    """One district portal with a shared column of `AGENCIES` agencies over two years, its
    registry synced into a fresh SQLite database."""
    from flows.runtime import reset_shared_fetcher
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry

    demo_environment(tmp_path, monkeypatch)
    routes, agencies = national_replica([AGENCIES], YEARS, "shared", late_published=True)
    with MultiHostReplica(routes, ["127.0.0.1"]) as portal:
        settings = get_settings()
        reg = _registry(agencies, portal.base_url("127.0.0.1"))
        settings.registry_path.write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
        migrate(settings.db_url)
        with session_scope(settings.db_url) as s:
            sync_registry(s, load_registry(settings.registry_path))
        reset_shared_fetcher()
        yield portal
    reset_shared_fetcher()
    get_settings.cache_clear()


def _gets(portal: MultiHostReplica) -> Counter[str]:
    return Counter(r.path for r in portal.requests if r.method == "GET" and r.path != "/robots.txt")


def _recorded() -> list[tuple]:
    """What the database holds of the reports: agency, year, version, address, publication."""
    from sqlmodel import select

    from models.tables import Agency, Report
    from nianbao.runtime.settings import get_settings

    with session_scope(get_settings().db_url) as s:
        columns: list[Any] = [Agency.code, Report.year, Report.version, Report.url, Report.published_at]
        return sorted(s.exec(select(*columns).join(Agency)).all())


def _per_agency(result: dict) -> list[tuple]:
    keys = ("agency", "outcome", "complete", "reports_found", "new_versions", "unchanged", "new_findings")
    return sorted(tuple(o.get(k) for k in keys) for o in result["outcomes"])


def test_a_shared_column_is_asked_once_per_run_and_every_agency_records_the_same(
    district: MultiHostReplica, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monitor import monitor

    first = monitor(jurisdiction="shared-0", year=2024)
    asked = _gets(district)
    assert asked and max(asked.values()) == 1, asked.most_common(3)
    assert all(o["outcome"] == "ok" and o["reports_found"] >= 1 for o in first["outcomes"])
    assert sum(o["new_versions"] for o in first["outcomes"]) == AGENCIES  # each its own 2024 report
    recorded = _recorded()
    district.requests.clear()

    second = monitor(jurisdiction="shared-0", year=2024)  # the next day: conditional, once each
    again = _gets(district)
    assert again and max(again.values()) == 1, again.most_common(3)
    assert all(o["outcome"] == "ok" and o["unchanged"] >= 1 for o in second["outcomes"])
    assert _recorded() == recorded

    # the same two runs, every agency asking for everything itself: the same records, the same outcomes
    from flows import monitor as monitor_module
    from flows import runtime
    from nianbao.runtime.settings import get_settings

    monkeypatch.setattr(monitor_module, "run_fetcher", lambda _run_id: runtime.shared_fetcher())
    settings = get_settings()
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(settings.data_dir.parent / "alone"))
    get_settings.cache_clear()
    from nianbao.store.registry import load_registry, sync_registry

    (settings.data_dir.parent / "alone").mkdir()
    migrate(get_settings().db_url)
    with session_scope(get_settings().db_url) as s:
        sync_registry(s, load_registry(get_settings().registry_path))
    district.requests.clear()
    alone_first = monitor(jurisdiction="shared-0", year=2024)
    assert max(_gets(district).values()) == AGENCIES  # what the memo spares: each page once per agency
    alone_second = monitor(jurisdiction="shared-0", year=2024)
    assert _per_agency(alone_first) == _per_agency(first)
    assert _per_agency(alone_second) == _per_agency(second)
    assert [r[:4] for r in _recorded()] == [r[:4] for r in recorded]
