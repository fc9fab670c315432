"""The pipeline parses and checks a report before it takes SQLite's write lock.

SQLite lets one connection write at a time. A crawl that held the lock while parsing made every
other thread's write wait behind a parse (and, on a loaded machine, fail with "database is
locked" after the busy timeout); two runs crawling the same agency at once must still record
one version of the same report."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import session_scope
from models.tables import Report
from nianbao.crawl import service
from nianbao.runtime.settings import get_settings
from nianbao.store.registry import Registry, sync_registry
from replicas.families import hanweb
from replicas.families.units import make_pubs
from replicas.server import ReplicaServer
from reports.parse import parse_document
from tests.fetching import quick_fetcher

NAME = "锁测区财政局"
CODE = "lock-caizheng"


@pytest.fixture
def portal():
    pubs = [p for p in make_pubs("锁测区", 2, (2024,), lookalikes=False, pdf_every=0) if p.agency == NAME]
    routes, _ = hanweb.build("/lk", "锁测区", [hanweb.Column(7101, f"{NAME}年报", pubs)])
    with ReplicaServer(routes) as server:
        yield server


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path, portal: ReplicaServer, monkeypatch):
    monkeypatch.setenv("NIANBAO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    registry = Registry.model_validate(
        {
            "jurisdictions": [
                {
                    "code": "lock-district",
                    "name": "锁测区",
                    "agencies": [
                        {
                            "code": CODE,
                            "name": NAME,
                            "kind": "department",
                            "entry_urls": [portal.url("/lk/col/col7101/index.html")],
                            "allowed_hosts": ["127.0.0.1"],
                        }
                    ],
                }
            ]
        }
    )
    with session_scope(sqlite_url) as s:
        sync_registry(s, registry)
    yield get_settings()
    get_settings.cache_clear()


def _crawl(settings) -> service.AgencyOutcome:
    with quick_fetcher(retries=0, allow_private_hosts=True) as fetcher:
        return service.monitor_agency(settings, fetcher, CODE, years={2024})


def test_another_writer_is_not_held_up_while_a_report_is_parsed(settings, monkeypatch) -> None:
    real_parse = parse_document  # the function service imported
    probes: list[str] = []

    def parse_and_probe(*args, **kwargs):
        # What another thread's write would meet right now: a free lock, or a held one.
        path = settings.db_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            probes.append("free")
        except sqlite3.OperationalError as exc:
            probes.append(str(exc))
        finally:
            conn.close()
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(service, "parse_document", parse_and_probe)
    outcome = _crawl(settings)
    assert outcome.outcome == "ok" and outcome.new_versions == 1, outcome
    assert probes == ["free"]


def test_two_runs_storing_the_same_report_at_once_record_one_version(settings, monkeypatch) -> None:
    real_parse = parse_document  # the function service imported
    parses: list[int] = []
    inner: list[service.AgencyOutcome] = []

    def parse_while_another_run_stores_it(*args, **kwargs):
        parses.append(1)
        if len(parses) == 1:  # the first parse: a second run crawls the same agency meanwhile
            inner.append(_crawl(settings))
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(service, "parse_document", parse_while_another_run_stores_it)
    outer = _crawl(settings)
    assert inner[0].new_versions == 1, inner[0]
    assert outer.outcome == "ok" and outer.new_versions == 0 and outer.unchanged == 1, outer
    with session_scope(settings.db_url) as s:
        versions = s.exec(select(Report.version, Report.is_current).where(Report.year == 2024)).all()
    assert versions == [(1, True)]
