"""The whole job against a hostile web and a wrong configuration: a trickling site inside a
monitor run, a run killed with SIGKILL, a database that is not there, a broken alert config,
`nianbao check` on an HTML report page, the article cap across runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from models.db import migrate, session_scope
from models.tables import CrawlRun, utcnow
from nianbao.cli import app
from replicas.hostile import HostileServer, trickle_body
from replicas.server import ReplicaServer, Response
from tests.conftest import REPO, seed_path
from tests.known import known

pytestmark = pytest.mark.slow  # trickling sites, killed processes

runner = CliRunner()


def test_a_trickling_site_does_not_hold_up_the_monitor_run(
    sample_setup, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One agency's portal sends a byte every 0.1 s: its crawl is cut off by the request
    budget, the run ends, and every other agency's alerts are delivered."""
    from alerts.config import write_demo_config
    from alerts.sink import start_webhook_sink
    from flows.monitor import monitor
    from flows.runtime import reset_shared_fetcher
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry

    settings, agencies = sample_setup
    monkeypatch.setenv("NIANBAO_REQUEST_DEADLINE", "2")
    get_settings.cache_clear()
    reset_shared_fetcher()
    settings = get_settings()
    slow = HostileServer(trickle_body(every=0.1))
    sink = start_webhook_sink(port=0)
    try:
        registry = yaml.safe_load(settings.registry_path.read_text(encoding="utf-8"))
        registry["jurisdictions"].append(
            {
                "code": "slow-district",
                "name": "慢速县",
                "agencies": [
                    {
                        "code": "slow-agency",
                        "name": "慢速县教育局",
                        "entry_urls": [slow.url("/zfxxgk/zfxxgknb/index.html")],
                        "allowed_hosts": ["127.0.0.1"],
                    }
                ],
            }
        )
        settings.registry_path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        districts = tuple(dict.fromkeys(a["district_code"] for a in agencies))
        write_demo_config(known(settings.apprise_config), sink.url, districts=districts)
        with session_scope(settings.db_url) as s:
            sync_registry(s, load_registry(settings.registry_path))
        result = monitor(year=2024)  # it ends: the slow site costs at most a few request budgets
        received = "\n".join(str(m) for m in sink.messages)
    finally:
        slow.stop()
        sink.stop()
    by_code = {o["agency"]: o for o in result["outcomes"]}
    assert by_code["slow-agency"]["outcome"] == "unreachable"
    assert "秒内未完成" in by_code["slow-agency"]["detail"] or "过慢" in by_code["slow-agency"]["detail"]
    others = [o for code, o in by_code.items() if code != "slow-agency"]
    assert len(others) == len(agencies) and all(o["outcome"] == "ok" for o in others), others
    assert result["delivery"]["sent"] and not result["delivery"]["failed"], result["delivery"]
    for needle in ("未发布", "逾期", "湛河区应急管理局"):
        assert needle in received


_RUN_THEN_HANG = """
import sys, time
from nianbao.crawl import runs
from nianbao.crawl.runs import heartbeat
from nianbao.runtime.settings import get_settings

s = get_settings()
run_id = runs.start_run(s, trigger="schedule", scope="all")
with heartbeat(s.db_url, run_id, every_s=0.2):
    print(run_id, flush=True)
    time.sleep(600)
"""


def _heartbeat_seen(db_url: str, run_id: int) -> bool:
    with session_scope(db_url) as s:
        run = s.get(CrawlRun, run_id)
        return run is not None and run.last_seen_at is not None and run.last_seen_at > run.started_at


def test_a_killed_run_is_marked_abandoned_by_the_next_run(db_url: str, tmp_path: Path, monkeypatch) -> None:
    from nianbao.crawl import runs
    from nianbao.runtime.settings import get_settings

    env = {**os.environ, "NIANBAO_DATABASE_URL": db_url, "NIANBAO_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN_THEN_HANG], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        killed = int(known(proc.stdout).readline())
        end = time.monotonic() + 30
        while not _heartbeat_seen(db_url, killed):  # the run has written a sign of life
            assert time.monotonic() < end, "no heartbeat from the run"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with session_scope(db_url) as s:
            before = s.get(CrawlRun, killed)
            assert before is not None and before.status == "running"
            last_seen = before.last_seen_at
            assert last_seen is not None and last_seen > before.started_at
        monkeypatch.setenv("NIANBAO_DATABASE_URL", db_url)
        monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("NIANBAO_ABANDON_AFTER_MINUTES", "0.01")  # 0.6 s without a heartbeat
        get_settings.cache_clear()
        alive = runs.start_run(get_settings(), trigger="manual", scope="x")  # just started: alive
        time.sleep(0.7)
        with session_scope(db_url) as s:
            s.get_one(CrawlRun, alive).last_seen_at = utcnow()
        nxt = runs.start_run(get_settings(), trigger="schedule", scope="all")
    finally:
        if proc.poll() is None:
            proc.kill()
        get_settings.cache_clear()
    with session_scope(db_url) as s:
        dead = s.get_one(CrawlRun, killed)
        assert dead.status == "abandoned"
        note = dead.stats["abandoned"]
        assert note["noticed_by_run"] in (alive, nxt) and note["last_seen_at"].startswith(
            str(last_seen.date())
        )
        assert s.get_one(CrawlRun, alive).status == "running"
        assert s.get_one(CrawlRun, nxt).status == "running"


def _closed_port() -> int:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_a_database_that_is_not_there_is_one_sentence(tmp_path: Path, monkeypatch) -> None:
    from nianbao.runtime.settings import get_settings

    url = f"postgresql+psycopg://nianbao:secret@127.0.0.1:{_closed_port()}/nianbao"
    monkeypatch.setenv("NIANBAO_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["run", "--year", "2024"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "无法连接数据库" in out and "NIANBAO_DATABASE_URL" in out
    assert "secret" not in out and "Traceback" not in out


def test_an_alert_config_apprise_cannot_load_stops_the_run_before_the_crawl(
    tmp_path: Path, monkeypatch
) -> None:
    from flows.monitor import monitor
    from nianbao.runtime.preflight import PreflightError
    from nianbao.runtime.settings import get_settings

    bad = tmp_path / "apprise.yml"
    bad.write_text("version: 1\nurls:\n  - notaservice://nowhere:\n      - tag: office\n", encoding="utf-8")
    migrate(f"sqlite:///{tmp_path / 'n.db'}")
    monkeypatch.setenv("NIANBAO_DATABASE_URL", f"sqlite:///{tmp_path / 'n.db'}")
    monkeypatch.setenv("NIANBAO_APPRISE_CONFIG", str(bad))
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["run", "--year", "2024"])
        with pytest.raises(PreflightError, match=r"告警配置 .*无法使用"):
            monitor.fn(year=2024)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "告警配置" in result.output and "无法使用" in result.output and "Traceback" not in result.output
    with session_scope(f"sqlite:///{tmp_path / 'n.db'}") as s:
        assert s.exec(select(CrawlRun)).all() == []  # nothing was crawled


def test_a_wrong_setting_is_refused_at_once(monkeypatch) -> None:
    from nianbao.runtime.settings import get_settings

    monkeypatch.setenv("NIANBAO_REQUEST_DEADLINE", "soon")
    monkeypatch.setenv("NIANBAO_DATABSE_URL", "postgresql+psycopg://x@y/z")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["agencies", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "NIANBAO_REQUEST_DEADLINE（环境变量）的值 'soon' 无效：应为数字" in out
    assert "是否应为 NIANBAO_DATABASE_URL" in out


def test_agencies_sync_check_validates_without_writing(tmp_path: Path, monkeypatch) -> None:
    from nianbao.runtime.settings import get_settings

    monkeypatch.setenv("NIANBAO_DATABASE_URL", f"sqlite:///{tmp_path / 'n.db'}")
    get_settings.cache_clear()
    good = REPO / "nianbao" / "agencies.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace(
            "entry_urls: [https://www.jxq", "entry_url: [https://www.jxq"
        ),
        encoding="utf-8",
    )
    try:
        ok = runner.invoke(app, ["agencies", "sync", "--check", "--path", str(good)])
        refused = runner.invoke(app, ["agencies", "sync", "--check", "--path", str(bad)])
    finally:
        get_settings.cache_clear()
    assert ok.exit_code == 0 and "有效：3个辖区，4个单位" in "".join(ok.output.split())
    assert refused.exit_code == 2
    out = "".join(refused.output.split())
    assert "jianxi-gongxin（涧西区工业和信息化局），键entry_url：不认识的键（是否应为entry_urls？）" in out
    assert not (tmp_path / "n.db").exists()  # --check writes nothing


def test_check_reads_an_html_report_page_and_an_article_with_its_file() -> None:
    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    rows = "".join(f"<tr><td>{'</td><td>'.join(line.split(chr(9)))}</td></tr>" for line in text.splitlines())
    page = f"<html><head><meta charset='utf-8'></head><body><table>{rows}</table></body></html>".encode()
    from tests.parse.pdfgen import text_pdf

    article = (
        "<html><body><h1>湛河区应急管理局2024年政府信息公开工作年度报告</h1>"
        '<p>详见附件：<a href="/files/nb2024.pdf">年度报告.pdf</a></p></body></html>'
    ).encode()
    routes = {
        "/nb/report.html": Response(body=page),
        "/nb/article.html": Response(body=article),
        "/files/nb2024.pdf": Response(body=text_pdf(text), content_type="application/pdf"),
    }
    with ReplicaServer(routes) as site:
        html = runner.invoke(app, ["check", "--json", site.url("/nb/report.html")])
        via_file = runner.invoke(app, ["check", "--json", site.url("/nb/article.html")])
        assert site.requests.for_path("/files/nb2024.pdf")
    import json

    for result in (html, via_file):
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["year"] == 2024 and "湛河区应急管理局" in (data["agency"] or "")
        assert data["requests"], data["problems"]


def test_the_article_cap_takes_the_rest_on_the_next_runs(tmp_path: Path) -> None:
    from scrapers.conditional import CrawlCache
    from scrapers.discover import discover
    from tests.fetching import quick_fetcher

    names = [f"示例区第{i}局" for i in range(7)]
    links = "".join(
        f'<li><a href="/nb/a{i}.html">{n}2024年政府信息公开工作年度报告</a><span>2025-01-2{i}</span></li>'
        for i, n in enumerate(names)
    )
    routes = {"/nb/index.html": Response(body=f"<html><body><ul>{links}</ul></body></html>".encode())}
    for i, n in enumerate(names):
        routes[f"/nb/a{i}.html"] = Response(
            body=f"<html><body><h1>{n}2024年政府信息公开工作年度报告</h1><p>发布日期：2025-01-2{i}</p></body></html>".encode()
        )
    cache = CrawlCache()
    seen: list[set[str]] = []
    with ReplicaServer(routes) as site, quick_fetcher() as f:
        for _ in range(3):
            cache = CrawlCache.from_json(cache.to_json())  # as saved and loaded between runs
            site.requests.clear()
            result = discover(site.url("/nb/index.html"), f, ["127.0.0.1"], validators=cache, max_articles=3)
            seen.append({r.path for r in site.requests if r.path.startswith("/nb/a")})
            assert len(seen[-1]) == 3
            assert len(result.reports) == sum(len(s) for s in seen) if len(seen) < 3 else len(names)
            if len(seen) < 3:
                assert result.deferred and cache.trusted_entry(site.url("/nb/index.html")) is None
    assert seen[0] == {"/nb/a0.html", "/nb/a1.html", "/nb/a2.html"}
    assert seen[1] == {"/nb/a3.html", "/nb/a4.html", "/nb/a5.html"}
    assert "/nb/a6.html" in seen[2]  # the last one waiting goes first, then known ones are re-checked
    assert {r.title for r in result.reports} == {f"{n}2024年政府信息公开工作年度报告" for n in names}
