"""The default registry points at the real official portals, unreachable from here:
each agency must end as a recorded 'unreachable' result, never a traceback."""

from __future__ import annotations

from sqlmodel import select

from models.db import session_scope
from models.tables import AgencyCrawl, Report
from nianbao.crawl import lookup, runs, service
from nianbao.runtime.settings import PROJECT_ROOT, get_settings
from nianbao.store.registry import load_registry, sync_registry
from tests.fetching import quick_fetcher


def test_default_registry_run_ends_with_site_unreachable(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        with session_scope(db_url) as s:
            sync_registry(s, load_registry(PROJECT_ROOT / "nianbao" / "agencies.yaml"))
        run_id = runs.start_run(settings, trigger="test", scope="all")
        fetcher = quick_fetcher(allow_private_hosts=False, retries=0, connect_timeout=2, per_host_delay=0.5)
        outcomes = [
            service.monitor_agency(settings, fetcher, code, years={2024}, run_id=run_id)
            for code in lookup.active_agency_codes(settings)
        ]
    finally:
        get_settings.cache_clear()
    assert len(outcomes) == 4
    for o in outcomes:
        assert o.outcome == "unreachable", o
        assert o.reports_found == 0 and o.detail
    with session_scope(db_url) as s:
        crawls = s.exec(select(AgencyCrawl)).all()
        assert {c.outcome for c in crawls} == {"unreachable"} and len(crawls) == 4
        assert s.exec(select(Report)).all() == []
