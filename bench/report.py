"""`nianbao report` over a database of N agencies: end to end, and where the time goes.

A synthetic monitor database (SQLite, or the PostgreSQL one --monitor-db names, dropped and
created): N agencies in districts of 50, for the report year and the year before a first
version of most reports (some late, some in a second version), a few findings per agency
(every severity and state), three crawls per agency (a few portals unreachable). Then, each in
a fresh process:

* cli    — `nianbao report --year Y` as the office runs it (CPU of the child from getrusage);
* phases — the same steps in-process, CPU (time.process_time) and SQL statements per step:
  this year's matrix, the findings, last year's matrix, the summary and charts (drawn once for
  both files), the workbook, the HTML page, what the terminal shows.

    .venv/bin/python bench/report.py 5000 [1000 …] [--repeat 3] [--monitor-db URL] [--write-docs]

CPU, not wall time, is what the docs compare: the machine is shared with other work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024
DISTRICT_SIZE = 50
RULES = ("TEXT-TABLE", "T3-BALANCE", "T2-SUM", "STRUCTURE", "DATE-MISMATCH", "FEE-PLAUSIBLE")


def registry(n: int) -> dict:
    """N agencies in districts of `DISTRICT_SIZE`, each with one column on a made-up portal."""
    jurisdictions = []
    for d in range(0, n, DISTRICT_SIZE):
        k = d // DISTRICT_SIZE
        members = [
            {
                "code": f"r{k:03d}-{i:03d}",
                "name": f"基准{k}区第{i}局",
                "kind": "department",
                "entry_urls": [f"http://portal{k}.example.cn/col{i}/index.html"],
                "allowed_hosts": [f"portal{k}.example.cn"],
            }
            for i in range(min(DISTRICT_SIZE, n - d))
        ]
        jurisdictions.append({"code": f"bench-{k:03d}", "name": f"基准{k}区", "agencies": members})
    return {"settings": {"deadline_inclusive": True, "due_soon_days": 14}, "jurisdictions": jurisdictions}


def populate(db_url: str, registry_path: Path, seed: int = 19) -> dict:
    """Sync the registry, then the reports, findings and crawls (bulk inserts: the setup is not
    what is measured)."""
    from sqlalchemy import insert
    from sqlmodel import col, select

    from models.db import get_engine, migrate, session_scope
    from models.tables import Agency, AgencyCrawl, CrawlRun, Finding, Report
    from nianbao.store.registry import load_registry, sync_registry

    rnd = random.Random(seed)
    migrate(db_url)
    with session_scope(db_url) as s:
        sync_registry(s, load_registry(registry_path))
        ids = list(s.exec(select(col(Agency.id)).order_by(col(Agency.id))))
    cells = {
        "title": "某单位政府信息公开工作年度报告",
        "sections": {"problems": {"present": True, "text": "无" * 400}},
    }
    reports: list[dict] = []
    findings: list[dict] = []
    crawls: list[dict] = []
    runs = [{"trigger": "bench", "scope": "all", "status": "completed"} for _ in range(3)]
    engine = get_engine(db_url)
    with engine.begin() as conn:
        run_ids = [
            conn.execute(insert(CrawlRun).values(**r).returning(col(CrawlRun.id))).scalar_one() for r in runs
        ]
    for agency_id in ids:
        for year, share in ((YEAR, 0.85), (YEAR - 1, 0.9)):
            if rnd.random() >= share:
                continue
            due = date(year + 1, 1, 31)
            day = due - timedelta(days=rnd.randint(-20, 25))  # some after the deadline: late
            published = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
            versions = 2 if rnd.random() < 0.1 else 1
            for v in range(1, versions + 1):
                reports.append(
                    {
                        "agency_id": agency_id,
                        "year": year,
                        "version": v,
                        "is_current": v == versions,
                        "title": f"{year}年政府信息公开工作年度报告",
                        "url": f"http://portal.example.cn/a{agency_id}/{year}/v{v}.html",
                        "content_sha256": f"{agency_id:08d}{year}{v}".ljust(64, "0"),
                        "published_at": published,
                        "published_at_source": "page",
                        "first_seen": published + timedelta(days=1),
                        "form": "F2021",
                        "parse_status": "parsed",
                        "parse_problems": [],
                        "cells": cells,
                    }
                )
            for j in range(rnd.randint(0, 4)):
                findings.append(
                    {
                        "agency_id": agency_id,
                        "year": year,
                        "rule": rnd.choice(RULES),
                        "severity": rnd.choice(("error", "warning", "info")),
                        "status": "fail" if rnd.random() < 0.85 else "cannot_assess",
                        "message": "表三第一行合计与各项之和不一致",
                        "evidence": {"url": f"http://portal.example.cn/a{agency_id}/{year}/v1.html"},
                        "fingerprint": f"{agency_id}-{year}-{j}",
                        "state": rnd.choice(("open", "open", "open", "confirmed", "dismissed", "resolved")),
                    }
                )
        for k, run_id in enumerate(run_ids):
            ok = rnd.random() < 0.95 or k < 2
            crawls.append(
                {
                    "crawl_run_id": run_id,
                    "agency_id": agency_id,
                    "outcome": "ok" if ok else "unreachable",
                    "complete": ok,
                    "detail": "" if ok else "连接超时",
                    "evidence": {},
                    "reports_found": 1,
                }
            )
    with engine.begin() as conn:
        for table, rows in ((Report, reports), (Finding, findings), (AgencyCrawl, crawls)):
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start : start + 2000])
    return {"agencies": len(ids), "reports": len(reports), "findings": len(findings), "crawls": len(crawls)}


class StatementCounter:
    """SQL statements sent on an engine (SQLAlchemy's before_cursor_execute)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._tick)

    def _tick(self, *_args: object) -> None:
        self.count += 1


def phases() -> dict:
    """The report's steps in this process: CPU seconds and SQL statements for each."""
    import io

    from rich.console import Console

    from models.db import get_engine, session_scope
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import registry_settings

    settings = get_settings()
    out: dict = {}
    began = time.process_time()
    from nianbao.reporting.compliance import compliance_rows, finding_lines
    from nianbao.reporting.export import draw, write_html, write_xlsx
    from nianbao.reporting.present_matrix import print_compliance

    out["import"] = {"cpu_s": round(time.process_time() - began, 3), "sql": 0}
    counter = StatementCounter(get_engine(settings.db_url))

    def step(name: str, fn: Callable[[], Any]) -> Any:
        before_cpu, before_sql = time.process_time(), counter.count
        value = fn()
        out[name] = {"cpu_s": round(time.process_time() - before_cpu, 3), "sql": counter.count - before_sql}
        return value

    now = datetime.now(UTC)
    rules = registry_settings()
    with session_scope(settings.db_url) as s:
        rows = step("matrix", lambda: compliance_rows(s, YEAR, now, rules))
        findings = step("findings", lambda: finding_lines(s, YEAR))
        previous = step("matrix_previous", lambda: compliance_rows(s, YEAR - 1, now, rules))
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-out-"))
    drawn = step("charts", lambda: draw(rows, findings, YEAR, previous))
    step("xlsx", lambda: write_xlsx(rows, findings, YEAR, tmp / "r.xlsx", previous=previous, drawn=drawn))
    step("html", lambda: write_html(rows, findings, YEAR, tmp / "r.html", previous=previous, drawn=drawn))
    console = Console(file=io.StringIO(), width=160)
    step("table", lambda: print_compliance(console, rows, YEAR))
    out["rows"] = len(rows)
    return out


def run_cli(env: dict, cwd: Path) -> dict:
    """`nianbao report` in a child process: its wall time and CPU (getrusage of children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [str(Path(sys.executable).parent / "nianbao"), "report", "--year", str(YEAR)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(out.stdout[-2000:] + out.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def reset_postgres(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def measure(n: int, repeat: int, monitor_db: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-report-{n}-") as tmp:
        root = Path(tmp)
        (root / "agencies.yaml").write_text(yaml.safe_dump(registry(n), allow_unicode=True), encoding="utf-8")
        if monitor_db:
            reset_postgres(monitor_db)
        env = {
            **os.environ,
            "NIANBAO_DATA_DIR": str(root),
            "NIANBAO_DATABASE_URL": monitor_db or "",
            "NIANBAO_REGISTRY_PATH": str(root / "agencies.yaml"),
            "NIANBAO_APPRISE_CONFIG": str(root / "no-apprise.yml"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "COLUMNS": "160",
        }
        sizes = json.loads(_child(env, root, "populate"))
        cli, steps = [], []
        for _ in range(repeat):
            cli.append(run_cli(env, root))
            steps.append(json.loads(_child(env, root, "phases")))
            print(json.dumps({"n": n, "cli": cli[-1], "phases": steps[-1]}), flush=True)
    names = [k for k in steps[0] if k != "rows"]
    return {
        "n": n,
        **sizes,
        "cli_wall_s": round(median(c["wall_s"] for c in cli), 2),
        "cli_cpu_s": round(median(c["cpu_s"] for c in cli), 2),
        "cli_cpu_range": (min(c["cpu_s"] for c in cli), max(c["cpu_s"] for c in cli)),
        "phases": {
            k: {"cpu_s": round(median(s[k]["cpu_s"] for s in steps), 3), "sql": steps[0][k]["sql"]}
            for k in names
        },
    }


def _child(env: dict, cwd: Path, what: str) -> str:
    out = subprocess.run(
        [sys.executable, __file__, "--child", what],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


def write_docs(results: list[dict], command: str, label: str, load: str) -> None:
    from bench.cycle import machine
    from bench.docs import replace_section

    heading = "## Report (`nianbao report`)"
    table = [
        "| agencies | reports / findings / crawls | `nianbao report` CPU (s) | wall (s) | this year's matrix CPU (s) / SQL | findings | last year's matrix | charts | workbook | HTML page | terminal |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        p = r["phases"]
        low, high = r["cli_cpu_range"]
        rng = "" if low == high else f" ({low}–{high})"

        def cell(k: str, p: dict = p) -> str:
            return f"{p[k]['cpu_s']} / {p[k]['sql']}"

        table.append(
            f"| {r['n']} | {r['reports']} / {r['findings']} / {r['crawls']} | {r['cli_cpu_s']}{rng} | {r['cli_wall_s']} "
            f"| {cell('matrix')} | {cell('findings')} | {cell('matrix_previous')} | {cell('charts')} | {cell('xlsx')} "
            f"| {cell('html')} | {cell('table')} |"
        )
    section = "\n".join(
        [
            heading,
            "",
            f"Machine: {machine()}; {load}. `bench/report.py`, the monitor on {label}: a synthetic database "
            f"(districts of {DISTRICT_SIZE}; for {YEAR} and {YEAR - 1} a first version of 85% / 90% of the reports, "
            "a tenth in a second version, some late; 0–4 findings per agency-year in every severity and state; "
            "three crawls per agency, 5% of the last ones unreachable). `nianbao report` end to end in a child "
            "process (its CPU from getrusage, the median over the runs, the range in brackets; wall time beside it "
            "for reference only, the machine being shared), then its steps in a fresh process: CPU seconds "
            "(time.process_time) / SQL statements sent.",
            "",
            *table,
            "",
            f"Command: `.venv/bin/python bench/report.py {command} --write-docs`.",
            "",
        ]
    )
    replace_section(heading, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["populate", "phases"])
    parser.add_argument("--monitor-db", metavar="URL", help="postgresql+psycopg://… (dropped and created)")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--load-note", default="", help="what else ran on the machine meanwhile")
    args = parser.parse_args()
    if args.child == "populate":
        from nianbao.runtime.settings import get_settings

        settings = get_settings()
        print(json.dumps(populate(settings.db_url, settings.registry_path)))
        return
    if args.child == "phases":
        print(json.dumps(phases()))
        return
    load = args.load_note or f"load average {os.getloadavg()[0]:.1f} at the start"
    results = [measure(n, args.repeat, args.monitor_db) for n in args.sizes]
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    if args.write_docs:
        flags = f"{' '.join(map(str, args.sizes))} --repeat {args.repeat}" + (
            " --monitor-db URL" if args.monitor_db else ""
        )
        write_docs(results, flags, "PostgreSQL" if args.monitor_db else "SQLite", load)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
