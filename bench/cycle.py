"""One full `monitor` cycle over N agencies on a many-host replica, through a real Prefect server.

Agencies sit in districts of 12 (`replicas.multihost.bench_district`), each agency with its own
Hanweb column (list page + its 2024 report, inline HTML); agency i is served on loopback host
127.0.0.(2 + i mod H) (H = --hosts, default 50), all hosts on one port. Each crawl fetches a
real list page and a real report page and parses, checks and records them. For each N:

* plain — `nianbao.crawl.service.monitor_agency` in a thread pool of NIANBAO_FLOW_WORKERS threads,
  then the deadline check and the compliance/findings rows (what the flow does besides crawling);
* flow  — the `monitor` flow (same threads, one task per agency, reporting to the server,
  NIANBAO_HOST_CONCURRENCY=1 slot per host).

Each measurement runs in a fresh child process on a fresh monitor database (SQLite, or the
PostgreSQL one --monitor-db names), so peak RSS (getrusage) is per measurement. No added latency.

    .venv/bin/python bench/cycle.py 100x3 1000x3 5000 [--hosts 50] [--prefect-db URL] [--monitor-db URL]
        [--write-docs]

A size NxK is measured K times per mode, plain and flow interleaved (the machine is shared and
noisy); the docs give the medians.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # the child process imports the application when it runs
    from contextlib import AbstractContextManager

    from nianbao.runtime.settings import Settings
    from nianbao.store.registry import Registry

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024
WORKERS = int(os.environ.get("BENCH_WORKERS", "16"))
HOSTS = 50
NOTE = (
    "Agencies spread over the loopback hosts (agency i on 127.0.0.(2 + i mod H)), each with its own "
    "Hanweb column: a list page and its report (inline HTML), no added latency, no politeness delay: "
    "the worst case for Prefect's share, as nothing hides its cost. As in production, on both sides: "
    "logging at INFO, two malloc arenas (MALLOC_ARENA_MAX=2, `nianbao/runtime/memory.py`) and the startup "
    "objects frozen for the garbage collector during the crawl (`nianbao/runtime/gc_tuning.py`). "
    "Runs of more than NIANBAO_MAX_TASKS_PER_RUN (100) agencies put agencies of one district together, "
    "at most 100 tasks a run, whole districts joined when there are more districts than that "
    "(`flows/grouping.py`; here, in districts of 12: 84 tasks at 1000 agencies, 100 of four or five "
    "districts at 5000); 100 agencies run one task each. The Prefect server runs on the same 2 cores "
    "as the crawl. The machine is shared: the same run varies from one run to the next (the range "
    "over the runs is in brackets after each median), so compare the medians and the ranges, not "
    "single runs."
)


def bench_registry(n: int, port: int, hosts: list[str]) -> dict:
    """N agencies in districts of 12 (`replicas.multihost.bench_district`), agency i on host i mod H."""
    from replicas.multihost import bench_district

    _routes, agencies = bench_district(n)
    districts: dict[int, list[dict]] = {}
    for i, a in enumerate(agencies):
        host = f"{hosts[i % len(hosts)]}:{port}"
        districts.setdefault(a["district"], []).append(
            {
                "code": f"bench-{a['district']:04d}-{len(districts.get(a['district'], [])):02d}",
                "name": a["name"],
                "kind": "department",
                "entry_urls": [f"http://{host}{a['entry_path']}"],
                "allowed_hosts": [host],
            }
        )
    return {
        "settings": {"deadline_inclusive": True, "due_soon_days": 14},
        "jurisdictions": [
            {"code": f"bench-{k:04d}", "name": f"基准{k}区", "agencies": members}
            for k, members in districts.items()
        ],
    }


def monitor_env(root: Path, registry: dict, **overrides: str) -> dict[str, str]:
    """The environment of a benchmark's monitor process with its data directory at `root`:
    `registry` written there as agencies.yaml, SQLite there (unless NIANBAO_DATABASE_URL is
    overridden), no alert delivered (the apprise file is absent: alerts stay pending), loopback
    portals allowed, no politeness delay."""
    (root / "agencies.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    return {
        **os.environ,
        "NIANBAO_DATA_DIR": str(root),
        "NIANBAO_DATABASE_URL": "",
        "NIANBAO_REGISTRY_PATH": str(root / "agencies.yaml"),
        "NIANBAO_APPRISE_CONFIG": str(root / "no-apprise.yml"),
        "NIANBAO_ALLOW_PRIVATE_HOSTS": "true",
        "NIANBAO_PER_HOST_DELAY": "0",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        **overrides,
    }


def run_child(script: str, args: list[str], env: dict[str, str], cwd: Path, timeout: float) -> dict:
    """Run `script` with `args` in a fresh interpreter; what it printed last, as JSON (its
    stderr's end in the error when it fails)."""
    out = subprocess.run(
        [sys.executable, script, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    got: dict = json.loads(out.stdout.strip().splitlines()[-1])
    return got


def synced_registry(settings: Settings) -> Registry:
    """In a benchmark's monitor process: the database migrated and the registry that
    NIANBAO_REGISTRY_PATH names synced into it; that registry."""
    from models.db import migrate, session_scope
    from nianbao.store.registry import load_registry, sync_registry

    migrate(settings.db_url)
    registry = load_registry(settings.registry_path)
    with session_scope(settings.db_url) as s:
        sync_registry(s, registry)
    return registry


def crawl_collector() -> AbstractContextManager[None]:
    """The garbage collector as the monitor flow has it around its crawl (the startup objects
    frozen, flows/monitor.py); BENCH_GC=default leaves it as Python starts it, for comparison."""
    from contextlib import nullcontext

    from nianbao.runtime.gc_tuning import startup_objects_frozen

    return nullcontext() if os.environ.get("BENCH_GC") == "default" else startup_objects_frozen()


def after_crawl(
    settings: Settings, codes: list[str], run_id: int, started: datetime, outcomes: list[dict]
) -> None:
    """What the flow does after crawling that is not Prefect's: the deadline check, the
    compliance table and the findings list (`nianbao.reporting.run_summary`, which the flow publishes as
    artifacts), the run's statistics."""
    from datetime import UTC

    from models.db import session_scope
    from nianbao.crawl import runs
    from nianbao.deadlines.watch import check_deadlines
    from nianbao.reporting.run_summary import compliance_table, findings_markdown
    from nianbao.store.registry import registry_settings

    with session_scope(settings.db_url) as s:
        check_deadlines(s, YEAR, datetime.now(UTC), registry_settings(), codes)
    table = compliance_table(settings, YEAR, codes, registry_settings())
    markdown = findings_markdown(settings, YEAR, "all", started, codes)
    assert len(table) == len(codes) and markdown
    stats = {"agencies": len(codes), "ok": sum(o["outcome"] == "ok" for o in outcomes)}
    runs.finish_run(settings, run_id, stats)


class CollectorClock:
    """Seconds the cyclic garbage collector ran (it holds the GIL: every thread waits)."""

    def __init__(self) -> None:
        self.seconds, self._began = 0.0, 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began


def peak_rss_mb() -> int:
    """The process's peak resident set (VmHWM, which `reset_peak_rss` resets; getrusage's
    ru_maxrss keeps the peak of threads that ended before the reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def reset_peak_rss() -> bool:
    """Start the peak-RSS count afresh (Linux: "5" into /proc/self/clear_refs), so the cycle's
    peak is not the setup's: syncing a registry of 5000 agencies peaks higher than crawling them."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class ApiCalls:
    """The Prefect API requests this process makes, by method and path (ids folded), when
    BENCH_API_CALLS is set: what the server's CPU per agency is spent on."""

    def __init__(self) -> None:
        import re
        from collections import Counter

        import httpx

        self.counts: Counter[str] = Counter()
        ids = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        sync_send, async_send = httpx.Client.send, httpx.AsyncClient.send

        def key(request: httpx.Request) -> str:
            return f"{request.method} {ids.sub('{id}', request.url.path)}"

        def counted_sync(client: httpx.Client, request: httpx.Request, **kw: Any) -> httpx.Response:
            if "/api/" in request.url.path:
                self.counts[key(request)] += 1
            return sync_send(client, request, **kw)

        async def counted_async(
            client: httpx.AsyncClient, request: httpx.Request, **kw: Any
        ) -> httpx.Response:
            if "/api/" in request.url.path:
                self.counts[key(request)] += 1
            return await async_send(client, request, **kw)

        httpx.Client.send = counted_sync  # type: ignore[method-assign, assignment]  # a measurement hook
        httpx.AsyncClient.send = counted_async  # type: ignore[method-assign, assignment]  # a measurement hook


def child(mode: str) -> dict:
    """Run one measurement in this (fresh) process; the environment says where everything is."""
    api_calls = ApiCalls() if os.environ.get("BENCH_API_CALLS") else None
    from concurrent.futures import ThreadPoolExecutor

    from nianbao.crawl import lookup, runs, service
    from nianbao.runtime.settings import get_settings

    settings = get_settings()
    synced_registry(settings)
    codes = lookup.active_agency_codes(settings)
    # Imports are a cost of the process, not of the cycle: a served deployment imports them once
    # (a process work pool once per run); measured separately as import_s.
    imported = time.perf_counter()
    if mode == "plain":
        from flows.runtime import shared_fetcher
    else:
        from flows.monitor import monitor
    import_s = time.perf_counter() - imported
    collector = CollectorClock()
    setup_rss_mb = peak_rss_mb()
    peak_reset = reset_peak_rss()
    started = time.perf_counter()
    if mode == "plain":
        with crawl_collector():  # as the flow has it around its crawl
            began = datetime.now(UTC)
            run_id = runs.start_run(settings, trigger="bench", scope="all")
            with ThreadPoolExecutor(int(os.environ["NIANBAO_FLOW_WORKERS"])) as pool:
                outcomes = list(
                    pool.map(
                        lambda c: service.monitor_agency(
                            settings, shared_fetcher(), c, years={YEAR}, run_id=run_id
                        ).as_dict(),
                        codes,
                    )
                )
            ok = sum(o["outcome"] == "ok" and o["new_versions"] == 1 for o in outcomes)
            crawl_rss_mb = peak_rss_mb()
            after_crawl(settings, codes, run_id, began, outcomes)
    else:
        crawl_rss_mb = None  # inside the flow: not told apart
        result = monitor(year=YEAR)
        ok = sum(o["outcome"] == "ok" and o["new_versions"] == 1 for o in result["outcomes"])
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "mode": mode,
        "agencies": len(codes),
        "ok": ok,
        "wall_s": round(wall, 2),
        "import_s": round(import_s, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # of the whole child, setup included
        "gc_s": round(collector.seconds, 2),
        "peak_rss_mb": peak_rss_mb(),  # of the cycle alone when peak_reset, else of the process
        "peak_reset": peak_reset,
        "setup_rss_mb": setup_rss_mb,  # peak while migrating and syncing the registry of N agencies
        "crawl_rss_mb": crawl_rss_mb,  # peak before the run's end (deadlines, compliance table)
        **({"api_calls": dict(api_calls.counts.most_common())} if api_calls else {}),
    }


def measure(
    n: int, mode: str, port: int, hosts: list[str], api_url: str, monitor_db: str | None = None
) -> dict:
    """One measurement in a fresh child process, on a fresh monitor database (a SQLite file in a
    temporary directory, or `monitor_db` dropped and created)."""
    from nianbao.runtime.memory import ARENAS

    if monitor_db:
        reset_postgres(monitor_db)

    with tempfile.TemporaryDirectory(prefix=f"bench-{mode}-{n}-") as tmp:
        root = Path(tmp)
        env = monitor_env(
            root,
            bench_registry(n, port, hosts),
            NIANBAO_DATABASE_URL=monitor_db or "",
            NIANBAO_FLOW_WORKERS=str(WORKERS),
            # as in production: set by every `nianbao` command for its flow runs, and in the image
            MALLOC_ARENA_MAX=os.environ.get("MALLOC_ARENA_MAX", ARENAS),
            NIANBAO_HOST_CONCURRENCY=os.environ.get("BENCH_HOST_SLOTS", "1"),  # 1: as in production
            PREFECT_API_URL=api_url,
            PREFECT_LOGGING_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "INFO"),  # INFO: as in production
        )
        return run_child(__file__, ["--child", mode], env, root, timeout=1200)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of `root` and its live descendants, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(d.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0.0))[1]
        todo.extend(child for child, (ppid, _) in stats.items() if ppid == pid)
    return total


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {date.today().isoformat()}"


def summary(runs: list[dict]) -> dict:
    """Median wall time, CPU and server CPU over the repeats, the largest peak RSS, the fewest ok."""
    return {
        "wall_s": round(median(r["wall_s"] for r in runs), 2),
        "wall_range": (min(r["wall_s"] for r in runs), max(r["wall_s"] for r in runs)),
        "cpu_s": round(median(r["cpu_s"] for r in runs), 1),
        "server_cpu_s": round(median(r["server_cpu_s"] for r in runs), 1),
        "import_s": round(median(r["import_s"] for r in runs), 2),
        "gc_s": round(median(r["gc_s"] for r in runs), 1),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "setup_rss_mb": max(r["setup_rss_mb"] for r in runs),
        "peak_reset": all(r["peak_reset"] for r in runs),
        "crawl_rss_mb": max(r["crawl_rss_mb"] or 0 for r in runs),
        "ok": min(r["ok"] for r in runs),
    }


def _with_range(s: dict) -> str:
    """Median wall time, and the range over the runs when there were several."""
    low, high = s["wall_range"]
    return f"{s['wall_s']}" if low == high else f"{s['wall_s']} ({low}–{high})"


def overhead_cell(plain: list[dict], flow: list[dict]) -> str:
    """Overhead of the medians, with the range over the interleaved pairs when repeated."""
    p, f = summary(plain), summary(flow)
    cell = f"{(f['wall_s'] - p['wall_s']) / p['wall_s'] * 100:+.0f}%"
    if len(plain) > 1:
        pairs = [(b["wall_s"] - a["wall_s"]) / a["wall_s"] * 100 for a, b in zip(plain, flow, strict=False)]
        cell += f" ({min(pairs):+.0f}…{max(pairs):+.0f}%)"
    return cell


def section_heading(monitor_db: str, prefect_db: str) -> str:
    """One section per database setup: the embedded default (SQLite) keeps the plain heading."""
    if monitor_db == prefect_db == "SQLite":
        return "## Orchestration"
    return f"## Orchestration, monitor on {monitor_db}, Prefect server on {prefect_db}"


def write_docs(
    rows: list[dict], hosts: int, command: str, prefect_db: str, monitor_db: str = "SQLite"
) -> None:
    heading = section_heading(monitor_db, prefect_db)
    table = [
        "| agencies | plain wall (s) | flow wall (s) | Prefect overhead | plain / flow CPU (s) "
        "| Prefect server CPU (s) | plain / flow garbage collector (s) | plain setup peak RSS (MB) | plain / flow cycle peak RSS (MB) | plain peak RSS while crawling (MB) | ok (plain/flow) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        p, f = summary(r["plain"]), summary(r["flow"])
        table.append(
            f"| {r['n']} | {_with_range(p)} | {_with_range(f)} | {overhead_cell(r['plain'], r['flow'])} "
            f"| {p['cpu_s']} / {f['cpu_s']} | {f['server_cpu_s']} | {p['gc_s']} / {f['gc_s']} | {p['setup_rss_mb']} | {p['peak_rss_mb']} / {f['peak_rss_mb']} "
            f"| {p['crawl_rss_mb']} | {p['ok']}/{f['ok']} |"
        )
    if not all(summary(r[m])["peak_reset"] for r in rows for m in ("plain", "flow")):
        table += ["", "(The peak could not be reset here: the cycle's peak includes the setup's.)"]
    imports = median(summary(r["flow"])["import_s"] for r in rows)
    repeats = ", ".join(f"{len(r['plain'])}× at {r['n']}" for r in rows)
    runs = f"runs per mode: {repeats}, plain and flow interleaved, medians shown"
    section = "\n".join(
        [
            heading,
            "",
            f"Machine: {machine()}. `bench/cycle.py`, {monitor_db} for the monitor, one real `prefect server "
            f"start` on 127.0.0.1 on {prefect_db}; {runs}.",
            "",
            "One full cycle: every agency's list page and report page fetched from the replica portal, "
            f"parsed, checked and recorded. {WORKERS} threads either way; *plain* calls "
            "`nianbao.crawl.service.monitor_agency` in a thread pool and then does the deadline check and the "
            "compliance/findings rows, *flow* runs the `monitor` flow (a task per agency, agencies of a "
            "district together above 100 agencies, per-host concurrency slots, progress artifact, compliance/findings artifacts, "
            "deadline check). Overhead = (flow − plain) / plain, in brackets the range over the pairs. "
            "Memory is the resident set of the measuring process: its peak while migrating and syncing "
            "the registry of N agencies (setup), then, counted afresh (Linux clear_refs), its peak over "
            "the cycle and over the crawl alone (before the deadline check and the run's tables). "
            "Wall times start after the imports: importing Prefect and "
            f"the flow modules took {imports:.1f} s more than the plain side's imports, once per process "
            "(a served deployment imports once; a process work pool starts a process per flow run).",
            "",
            *table,
            "",
            NOTE,
            "",
            f"Command: `.venv/bin/python bench/cycle.py {command} --write-docs` (--hosts {hosts}).",
            "",
        ]
    )
    from bench.docs import replace_section

    replace_section(heading, section)


def reset_postgres(url: str) -> None:
    """Drop and create the database `url` names, so the Prefect server starts empty."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["100", "1000"], help="N or NxK (K runs per mode)")
    parser.add_argument("--child", choices=["plain", "flow"])
    parser.add_argument("--hosts", type=int, default=HOSTS, help="loopback portal hosts (127.0.0.2 …)")
    parser.add_argument("--modes", default="plain,flow")
    parser.add_argument(
        "--prefect-db",
        metavar="URL",
        help="the Prefect server's database (postgresql+asyncpg://…, dropped and created); default SQLite",
    )
    parser.add_argument(
        "--monitor-db",
        metavar="URL",
        help="the monitor's database (postgresql+psycopg://…, dropped and created for each measurement); "
        "default a fresh SQLite file",
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    from flows.server import free_port, start_local_server
    from replicas.multihost import MultiHostReplica, bench_district, loopback_addresses

    if args.prefect_db:
        reset_postgres(args.prefect_db)
        os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = args.prefect_db
    modes = args.modes.split(",")
    hosts = loopback_addresses(args.hosts)
    with tempfile.TemporaryDirectory(prefix="bench-prefect-") as home:
        server = start_local_server(free_port(), home=Path(home), timeout=120)
        if server.process is None:
            raise RuntimeError("the local Prefect server has no process to measure")
        server_pid = server.process.pid
        plan = [(int(n), int(k or 1)) for n, _, k in (size.partition("x") for size in args.sizes)]
        portal = MultiHostReplica(bench_district(max(n for n, _ in plan))[0], hosts)
        rows = []
        try:
            for n, repeat in plan:
                row: dict = {"n": n, **{mode: [] for mode in modes}}
                for _ in range(repeat):
                    for mode in modes:
                        server_cpu, portal_cpu = tree_cpu_seconds(server_pid), sum(os.times()[:2])
                        run = measure(n, mode, portal.port, hosts, server.api_url, args.monitor_db)
                        run["server_cpu_s"] = round(tree_cpu_seconds(server_pid) - server_cpu, 1)
                        run["portal_cpu_s"] = round(sum(os.times()[:2]) - portal_cpu, 1)
                        row[mode].append(run)
                        print(json.dumps({"n": n, **run}), flush=True)
                rows.append(row)
        finally:
            portal.stop()
            server.stop()
    if args.write_docs:
        db_flags = "".join(
            f" --{k}-db URL" for k, v in (("monitor", args.monitor_db), ("prefect", args.prefect_db)) if v
        )
        write_docs(
            rows,
            args.hosts,
            " ".join(args.sizes) + db_flags,
            "PostgreSQL" if args.prefect_db else "SQLite",
            "PostgreSQL" if args.monitor_db else "SQLite",
        )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
