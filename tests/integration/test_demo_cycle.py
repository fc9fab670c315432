"""The main job end to end on the bundled sample portal (real HTTP on 127.0.0.1, a real
local Prefect, SQLite, apprise into a local webhook receiver), and its idempotency."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import func, select

from models.db import session_scope
from models.tables import Agency, Alert, Document, Finding, Report


def _counts(url: str) -> dict[str, int]:
    with session_scope(url) as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Document, Report, Finding, Alert)
        }


@pytest.fixture
def demo(tmp_path: Path, prefect_harness, monkeypatch: pytest.MonkeyPatch):
    from nianbao.cli.demo import run_demo
    from nianbao.runtime.settings import get_settings

    monkeypatch.chdir(tmp_path)
    console = Console(record=True, width=200)
    out = run_demo(console, root=tmp_path / "demo")
    yield out, console, get_settings()
    get_settings.cache_clear()


def test_demo_shows_every_alert_kind_and_the_seed_findings(demo) -> None:
    out, console, settings = demo
    by_name = {r.agency: r for r in out["rows"]}
    from replicas.sample_portal import SAMPLE_AGENCIES

    assert set(by_name) == {a["name"] for a in SAMPLE_AGENCIES}
    for a in SAMPLE_AGENCIES:
        assert by_name[a["name"]].status.value == a["expect_2024"], a["name"]
    statuses = [r.status.value for r in out["rows"]]
    assert statuses.count("missing") == 1 and statuses.count("late") == 1
    with session_scope(settings.db_url) as s:
        rules = {
            (a.name, f.rule)
            for f, a in s.exec(select(Finding, Agency).join(Agency).where(Finding.status == "fail")).all()
        }
    assert ("湛河区工业和信息化局", "YEAR-PLAN") in rules
    assert ("湛河区应急管理局", "TEXT-TABLE") in rules
    assert any(rule == "MISSING" for _, rule in rules) and any(rule == "LATE" for _, rule in rules)
    # No seed contradicts itself arithmetically.
    assert not any(rule.startswith(("T3-", "T4-")) for _, rule in rules)
    received = "\n".join(str(m) for m in out["received"])
    assert out["received"], "the webhook sink received nothing"
    for needle in ("未发布", "逾期", "湛河区应急管理局"):
        assert needle in received
    text = console.export_text()
    assert "合规情况" in text and "湛河区应急管理局" in text
    assert "本次巡检 7 个单位" in text and "提醒：已发送" in text  # sentences, not the stats dict
    assert "{'" not in text and "[warning]" not in text and "YEAR-PLAN：" not in text
    assert "nianbao serve --demo" in text  # the next step the README describes
    # the alerts name their recipients by the names the demo config gives, never by tags
    titles = [str(m.get("title", "")) for m in out["received"]]
    assert any("政务公开办" in t for t in titles if t.startswith("【政务公开监测】")), titles
    assert not any(t.endswith((" — office", " — pds-zhanhe")) for t in titles), titles


def test_second_cycle_over_unchanged_portal_adds_nothing(demo) -> None:
    from flows.monitor import monitor

    out, _console, settings = demo
    before = _counts(settings.db_url)
    assert before["Report"] >= 5
    from replicas.sample_portal import start_sample_portal

    # The demo stopped its portal; serve it again on the same port so the registry's URLs hold.
    port = int(out["portal"].rsplit(":", 1)[1].split("/")[0])
    with start_sample_portal(port=port) as portal:
        result = monitor(year=2024)
        log = list(portal.requests)
    assert result["stats"]["ok"] == len(result["outcomes"]) > 0, result["outcomes"]
    assert result["stats"]["new_versions"] == 0 and result["stats"]["new_findings"] == 0
    assert _counts(settings.db_url) == before
    # An unchanged portal costs little: no report document is downloaded again (with the crawl
    # cache an unchanged column page answers 304 and its reports are not even asked for).
    from replicas.sample_portal import SAMPLE_AGENCIES, SAMPLE_REPORTS

    monitored = {a["code"] for a in SAMPLE_AGENCIES}
    documents = {
        r["attachment_path"] or r["path"]
        for r in SAMPLE_REPORTS
        if r["year"] == 2024 and r["agency_code"] in monitored
    }
    assert log, "the second crawl did not look at the portal at all"
    assert any(e.status == 304 for e in log), "no conditional request was answered 304"
    again = [e for e in log if e.path.split("?")[0] in documents and e.status == 200 and e.bytes > 0]
    assert not again, again
