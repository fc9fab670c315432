"""A national cycle, time-scaled: district portals on many loopback hosts, politeness divided
by k, one real `monitor` flow run per district against a real Prefect server, the monitor on
PostgreSQL; the figures per agency that `bench/national_plan.py` turns into the national plan.

Why time-scaled: at one request a second per host a district of 39 agencies takes minutes to
hours; with the delay at 1.0 s / k the same requests take 1/k of that, and what the delay
does not scale (answer time, CPU between requests) shows up as the difference between the
host's measured wall time and requests × delay. District k is served on 127.0.0.(2 + k)
(`replicas/national.py`: Hanweb, one shared column or one column per agency). Each layout
runs five cycles on a fresh database:

* first     — nothing known: every list page, article and document read in full, at most
  NIANBAO_MAX_ARTICLES_PER_COLUMN (100) articles per column, the rest deferred;
* second    — the next day: a column that had more articles than that is read again (the
  deferred ones, the others conditionally) and only then counts as read in full;
* unchanged — the day after, nothing changed: column pages answer 304 and stand for their reports;
* changed   — a late report appears on every district's portal (a day in the deadline season);
* expired   — nothing changed, but the columns were last read in full longer ago than
  NIANBAO_CRAWL_TRUST_DAYS (a weekly off-season run): everything asked again, conditionally.

Every district's run is its own process (as a process work pool runs them), all at once.
Measured: requests per agency from the replica's log (and the distinct URLs among them: on a
shared column every agency reads the column itself), CPU per agency as the run processes'
process_time (not wall: the machine is shared), the Prefect server's CPU from /proc, database
rows and bytes per agency (pg_total_relation_size), what the Prefect server's database grew by,
the raw store, wall time per host, the load average at each cycle's start and end.

    .venv/bin/python bench/national.py [--districts 4] [--agencies 39] [--k 20]
        [--layouts shared,own] [--years 2022,2023,2024] [--write-docs]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

YEAR = 2024
PG_ADMIN = os.environ.get(
    "NIANBAO_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PHASES = ("first", "second", "unchanged", "changed", "expired")


# -- the replica ------------------------------------------------------------------------------
def timed_replica(routes: dict, hosts: list[str]):  # type: ignore[no-untyped-def]
    """A `MultiHostReplica` that also notes when each request arrived, per host (the request log
    says what was asked, not when)."""
    from replicas.multihost import MultiHostReplica

    class TimedReplica(MultiHostReplica):
        def __init__(self) -> None:
            self.arrivals: dict[str, list[float]] = defaultdict(list)
            self._arrivals_lock = threading.Lock()
            super().__init__(routes, hosts)

        def respond(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes = b""):  # type: ignore[no-untyped-def]
            with self._arrivals_lock:
                self.arrivals[headers.get("host", "")].append(time.monotonic())
            return super().respond(method, raw_path, headers, body)

        def clear(self) -> None:
            with self._arrivals_lock:
                self.arrivals.clear()
            self.requests.clear()

    return TimedReplica()


def registry(agencies: list, hosts: list[str], port: int) -> dict:
    """District k on host k; every agency lists its column (shared or its own)."""
    by_district: dict[int, list[dict]] = defaultdict(list)
    for a in agencies:
        host = f"{hosts[a.district]}:{port}"
        members = by_district[a.district]
        members.append(
            {
                "code": f"nat-{a.district:04d}-{len(members):03d}",
                "name": a.name,
                "kind": "department",
                "entry_urls": [f"http://{host}{a.entry_path}"],
                "allowed_hosts": [host],
            }
        )
    return {
        "settings": {"deadline_inclusive": True, "due_soon_days": 14},
        "jurisdictions": [
            {"code": district_code(k), "name": f"全国{k}区", "agencies": members}
            for k, members in sorted(by_district.items())
        ],
    }


def district_code(k: int) -> str:
    return f"nat-{k:04d}"


# -- one district's flow run (a child process) -------------------------------------------------
def child(code: str) -> dict:
    """Run the `monitor` flow for one district in this fresh process; CPU as process_time."""
    began = time.perf_counter()
    from flows.monitor import monitor

    import_cpu = time.process_time()
    started = time.perf_counter()
    result = monitor(jurisdiction=code, year=YEAR)
    wall = time.perf_counter() - started
    outcomes = result["outcomes"]
    return {
        "district": code,
        "agencies": len(outcomes),
        "ok": sum(o["outcome"] == "ok" for o in outcomes),
        "found": sum(o["reports_found"] for o in outcomes),
        "new_versions": sum(o["new_versions"] for o in outcomes),
        "unchanged": sum(o["unchanged"] for o in outcomes),
        "cpu_s": time.process_time(),
        "import_cpu_s": import_cpu,
        "wall_s": wall,
        "process_wall_s": time.perf_counter() - began,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_districts(codes: list[str], env: dict[str, str]) -> list[dict]:
    """Every district's run at once, each in its own process (as a process work pool would)."""
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", code],
            env=env,
            cwd=env["NIANBAO_DATA_DIR"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code in codes
    ]
    out = []
    try:
        for p in procs:
            stdout, stderr = p.communicate(timeout=7200)
            if p.returncode != 0:
                raise RuntimeError(f"district run failed:\n{stderr[-3000:]}")
            out.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for p in procs:  # a failed run stops the measurement: none of the others outlives it
            if p.poll() is None:
                p.kill()
                p.wait()
    return out


# -- what was measured -------------------------------------------------------------------------
def host_figures(portal, delay: float) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Per host: requests, distinct URLs asked (robots.txt aside), statuses, bytes, wall time first
    to last request, the smallest gap."""
    by_host: dict[str, dict] = defaultdict(
        lambda: {"requests": 0, "robots": 0, "bytes": 0, "status": defaultdict(int)}
    )
    urls: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in portal.requests:
        host = r.headers.get("host", "")
        h = by_host[host]
        h["requests"] += 1
        h["robots"] += r.path == "/robots.txt"
        h["bytes"] += r.bytes
        h["status"][r.status] += 1
        if r.path != "/robots.txt":
            urls[host].add((r.method, r.path))
    for host, seen in urls.items():  # what the cycle asked of the host had each URL been asked once
        by_host[host]["distinct"] = len(seen)
    for host, times in portal.arrivals.items():
        times = sorted(times)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        by_host[host].update(
            wall_s=times[-1] - times[0] if len(times) > 1 else 0.0,
            min_gap_s=min(gaps) if gaps else None,
            too_soon=sum(g < delay * 0.999 for g in gaps),  # arrivals closer than the delay
        )
    return {h: {**v, "status": dict(v["status"])} for h, v in by_host.items()}


def db_figures(url: str) -> dict:
    """Rows and bytes (tables with their indexes and TOAST) of every monitor table, measured
    after a VACUUM: the dead row versions a cycle's updates leave (documents seen again) become
    space the next cycle reuses, as autovacuum makes them between a deployment's daily runs;
    unvacuumed, what a cycle grew by depended on whether autovacuum had come by (740 to 1,744
    bytes an agency for the same cycle)."""
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401

    engine = create_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM"))
        with engine.connect() as conn:
            tables = {
                t.name: {
                    "rows": conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar_one(),
                    "bytes": conn.execute(
                        text(f"SELECT pg_total_relation_size('\"{t.name}\"')")
                    ).scalar_one(),
                }
                for t in SQLModel.metadata.sorted_tables
            }
            total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    finally:
        engine.dispose()
    return {"tables": tables, "database_bytes": total}


def tree_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    return len(files), sum(p.stat().st_size for p in files)


def server_cpu(pid: int) -> float:
    from bench.cycle import tree_cpu_seconds

    return tree_cpu_seconds(pid)


# -- one layout, five cycles ------------------------------------------------------------------
def scratch_db(name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_db(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_bytes(url: str) -> int:
    """pg_database_size of the database `url` names (the Prefect server's, here)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        engine.dispose()


def load_average() -> float:
    """The machine's 1-minute load average: every CPU figure here was taken on a shared machine."""
    return os.getloadavg()[0]


def measure_layout(
    layout: str, args: argparse.Namespace, server: Any, hosts: list[str], idle_rate: float, prefect_url: str
) -> dict:
    from models.db import migrate, session_scope
    from nianbao.store.registry import load_registry, sync_registry
    from replicas.national import district_sizes, national_replica

    years = tuple(int(y) for y in args.years.split(","))
    delay = 1.0 / args.k
    sizes = district_sizes(args.districts, args.agencies)
    routes, agencies = national_replica(sizes, years, layout)
    portal = timed_replica(routes, hosts)
    db_name = f"nianbao_national_{uuid.uuid4().hex[:8]}"
    db_url = scratch_db(db_name)
    phases: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory(prefix=f"national-{layout}-") as tmp:
            root = Path(tmp)
            path = root / "agencies.yaml"
            path.write_text(
                yaml.safe_dump(registry(agencies, hosts, portal.port), allow_unicode=True), "utf-8"
            )
            migrate(db_url)
            with session_scope(db_url) as s:
                sync_registry(s, load_registry(path))
            baseline = db_figures(db_url)
            env = {
                **os.environ,
                "NIANBAO_DATA_DIR": str(root),
                "NIANBAO_DATABASE_URL": db_url,
                "NIANBAO_REGISTRY_PATH": str(path),
                "NIANBAO_APPRISE_CONFIG": str(root / "no-apprise.yml"),  # absent: alerts stay pending
                "NIANBAO_ALLOW_PRIVATE_HOSTS": "true",
                "NIANBAO_PER_HOST_DELAY": f"{delay:.6f}",
                "NIANBAO_HOST_CONCURRENCY": "1",
                "PREFECT_API_URL": server.api_url,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "INFO",
            }
            codes = [district_code(k) for k in range(args.districts)]
            previous = baseline
            for phase in PHASES:
                if phase == "changed":  # the late report of each district's last agency appears
                    portal.routes.update(national_replica(sizes, years, layout, late_published=True)[0])
                phase_env = {**env, "NIANBAO_CRAWL_TRUST_DAYS": "0" if phase == "expired" else "7"}
                portal.clear()
                load0, prefect0 = load_average(), database_bytes(prefect_url)
                cpu0, t0 = server_cpu(server.process.pid), time.perf_counter()
                runs = run_districts(codes, phase_env)
                wall = time.perf_counter() - t0
                server_s = server_cpu(server.process.pid) - cpu0
                db = db_figures(db_url)
                raw_files, raw_bytes = tree_bytes(root / "raw")
                cache_files, cache_bytes = tree_bytes(root / "crawl-cache")
                phases[phase] = {
                    "runs": runs,
                    "wall_s": wall,
                    "server_cpu_s": server_s,
                    "hosts": host_figures(portal, delay),
                    "db": db,
                    "db_delta": _delta(previous, db),
                    "raw": {"files": raw_files, "bytes": raw_bytes},
                    "crawl_cache": {"files": cache_files, "bytes": cache_bytes},
                    "prefect_db_delta": database_bytes(prefect_url) - prefect0,
                    "load": [load0, load_average()],
                }
                previous = db
                print(json.dumps({"layout": layout, "phase": phase, "runs": runs}), flush=True)
            serial = serial_runs(codes, env, server.process.pid, idle_rate)
            check = scaling_check(codes[0], {**env, "NIANBAO_CRAWL_TRUST_DAYS": "0"}, portal, 2 * delay)
    finally:
        portal.stop()
        from models.db import get_engine

        get_engine(db_url).dispose()
        drop_db(db_name)
    return {
        "layout": layout,
        "delay_s": delay,
        "sizes": sizes,
        "baseline": baseline,
        "phases": phases,
        "serial": serial,
        "check": check,
    }


def scaling_check(code: str, env: dict[str, str], portal: Any, delay: float) -> dict:
    """The expired cycle of one district again at another delay: the same requests, so its host's
    wall time says whether requests × (delay + extra) holds with the extra measured at the first
    delay (what the delay does not scale stays put), i.e. whether scaling up by k is right."""
    portal.clear()
    (run,) = run_districts([code], {**env, "NIANBAO_PER_HOST_DELAY": f"{delay:.6f}"})
    ((key, host),) = [(k, h) for k, h in host_figures(portal, delay).items() if h["requests"]]
    return {"delay_s": delay, "run": run, "host_key": key, "host": host}


def serial_runs(codes: list[str], env: dict[str, str], server_pid: int, idle_rate: float) -> list[dict]:
    """The unchanged cycle once more, one district at a time, so the Prefect server's CPU is
    known per run and can be split into a cost per run and one per agency (`fit`)."""
    out = []
    for code in codes:
        cpu0, t0 = server_cpu(server_pid), time.perf_counter()
        (run,) = run_districts([code], env)
        wall = time.perf_counter() - t0
        run["server_cpu_s"] = server_cpu(server_pid) - cpu0 - idle_rate * wall
        out.append(run)
    return out


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b x: (a, b), the fixed cost and the cost per unit of x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, my / mx if mx else 0.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - b * mx, b


def _delta(before: dict, after: dict) -> dict:
    tables = {
        name: {k: after["tables"][name][k] - before["tables"][name][k] for k in ("rows", "bytes")}
        for name in after["tables"]
    }
    return {"tables": tables, "database_bytes": after["database_bytes"] - before["database_bytes"]}


def summarise(phase: dict, delay: float, idle_rate: float, fixed: dict) -> dict:
    """Per agency and per host, from one cycle's raw figures. CPU per agency (worker and Prefect
    server) is the cycle's CPU less each run's fixed cost (imports, and what `serial_fit` found a
    run costs whatever its size) and, for the server, less its idle rate, over the agencies."""
    runs = phase["runs"]
    agencies = sum(r["agencies"] for r in runs)
    hosts = [h for h in phase["hosts"].values() if h["requests"]]
    requests = sum(h["requests"] for h in hosts)
    robots = sum(h["robots"] for h in hosts)
    worker = sum(r["cpu_s"] - r["import_cpu_s"] for r in runs) - fixed["worker_fixed_s"] * len(runs)
    server = phase["server_cpu_s"] - idle_rate * phase["wall_s"] - fixed["server_fixed_s"] * len(runs)
    walls = [h["wall_s"] for h in hosts]
    floors = [(h["requests"] - 1) * delay for h in hosts]  # what the delay alone makes it last
    return {
        "agencies": agencies,
        "ok": sum(r["ok"] for r in runs),
        "new_versions": sum(r["new_versions"] for r in runs),
        "requests": requests,
        "requests_per_agency": (requests - robots) / agencies,
        "distinct_per_agency": sum(h.get("distinct", 0) for h in hosts) / agencies,
        "robots_per_run": robots / len(runs),
        "not_modified_share": sum(_status(h, 304) for h in hosts) / requests,
        "bytes_per_agency": sum(h["bytes"] for h in hosts) / agencies,
        "cpu_ms_per_agency": 1000 * worker / agencies,
        "server_cpu_ms_per_agency": 1000 * server / agencies,
        "host_wall_s": max(walls),
        "host_wall_over_delay": median(w / f for w, f in zip(walls, floors, strict=True) if f),
        "extra_ms_per_request": 1000
        * median((w - f) / (h["requests"] - 1) for w, f, h in zip(walls, floors, hosts, strict=True) if f),
        "too_soon": sum(h["too_soon"] for h in hosts),
        "run_wall_s": max(r["wall_s"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "db_bytes_per_agency": phase["db_delta"]["database_bytes"] / agencies,
        "db_rows_per_agency": sum(t["rows"] for t in phase["db_delta"]["tables"].values()) / agencies,
        "raw_bytes_per_agency": phase["raw"]["bytes"] / agencies,
        "raw_files": phase["raw"]["files"],
        "prefect_db_bytes_per_agency": phase.get("prefect_db_delta", 0) / agencies,
        "load": phase.get("load", [None, None]),
    }


def scaling_summary(layout: dict) -> dict:
    """Host 0's wall at the second delay, predicted from its extra per request at the first."""
    first = layout["phases"]["expired"]["hosts"]
    check = layout["check"]["host"]
    host = first[layout["check"]["host_key"]]  # the same district, at the first delay
    extra = (host["wall_s"] - (host["requests"] - 1) * layout["delay_s"]) / (host["requests"] - 1)
    predicted = (check["requests"] - 1) * (layout["check"]["delay_s"] + extra)
    return {
        "requests": check["requests"],
        "delay_s": [layout["delay_s"], layout["check"]["delay_s"]],
        "wall_s": [host["wall_s"], check["wall_s"]],
        "extra_ms_per_request": 1000 * extra,
        "predicted_s": predicted,
        "error": check["wall_s"] / predicted - 1,
    }


def _status(host: dict, code: int) -> int:
    """Responses of `code` (the keys are strings once the figures went through JSON)."""
    return int(host["status"].get(code, 0) + host["status"].get(str(code), 0))


def table_storage(layout: dict) -> dict[str, dict]:
    """Per monitor table: rows per agency added by a report year's first reading and by every
    further cycle, and bytes per row (what the table, its indexes and TOAST grew by since the
    registry was synced, over the rows it gained; pages are 8 kB, so on a few hundred agencies
    this errs high). Rows times bytes per row, because a few hundred agencies grow the database
    by less than the space PostgreSQL already holds, which pg_database_size alone cannot show."""
    phases = layout["phases"]
    agencies = sum(r["agencies"] for r in phases["first"]["runs"])
    final, base = phases["expired"]["db"]["tables"], layout["baseline"]["tables"]
    first, cycle = phases["first"]["db_delta"]["tables"], phases["unchanged"]["db_delta"]["tables"]
    out = {}
    for name, t in final.items():
        gained = t["rows"] - base[name]["rows"]
        if gained <= 0:
            continue
        out[name] = {
            "rows_per_report_year": (first[name]["rows"] - cycle[name]["rows"]) / agencies,
            "rows_per_cycle": cycle[name]["rows"] / agencies,
            "bytes_per_row": (t["bytes"] - base[name]["bytes"]) / gained,
        }
    return out


def serial_fit(serial: list[dict]) -> dict:
    """The serial unchanged runs: server and worker CPU as a fixed cost per run plus per agency."""
    sizes = [r["agencies"] for r in serial]
    s_fixed, s_agency = fit(sizes, [r["server_cpu_s"] for r in serial])
    w_fixed, w_agency = fit(sizes, [r["cpu_s"] - r["import_cpu_s"] for r in serial])
    return {
        "server_fixed_s": s_fixed,
        "server_ms_per_agency": 1000 * s_agency,
        "worker_fixed_s": w_fixed,
        "worker_ms_per_agency": 1000 * w_agency,
        "import_cpu_s": median(r["import_cpu_s"] for r in serial),
        "run_wall_s": [round(r["wall_s"], 2) for r in serial],
    }


# -- the docs ----------------------------------------------------------------------------------
def machine() -> str:
    from bench.cycle import machine as describe

    return describe()


def commit() -> str:
    """The code measured: HEAD, and main's commit under it (the bench may sit on a branch)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("log", "-1", "--format=%h %cs")
        base = git("merge-base", "HEAD", "main")
        main_at = git("log", "-1", "--format=%h %cs", base)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head if head == main_at else f"{main_at} (measured from {head}, main's code plus the bench)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", metavar="DISTRICT")
    parser.add_argument("--districts", type=int, default=4)
    parser.add_argument("--agencies", type=int, default=39, help="per district (110,000 / 2,800 ≈ 39)")
    parser.add_argument("--k", type=float, default=20.0, help="time scale: the delay is 1.0 s / k")
    parser.add_argument("--layouts", default="shared,own")
    parser.add_argument("--years", default="2022,2023,2024", help="report years each column lists")
    parser.add_argument("--json", metavar="PATH", help="also write every raw figure here")
    parser.add_argument("--server-log", metavar="PATH", help="keep the Prefect server's log here")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    from flows.server import free_port, start_local_server
    from replicas.multihost import loopback_addresses

    hosts = loopback_addresses(args.districts)
    results = []
    load_start, started = load_average(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="national-prefect-") as home:
        prefect_db = f"prefect_national_{uuid.uuid4().hex[:8]}"
        prefect_url = scratch_db(prefect_db)
        os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = prefect_url.replace(
            "postgresql+psycopg", "postgresql+asyncpg"
        )
        log = Path(args.server_log or Path(home) / "server.log")
        server = start_local_server(free_port(), log_path=log, home=Path(home), timeout=180)
        try:
            assert server.process is not None  # started here, not an existing server
            idle0, t0 = server_cpu(server.process.pid), time.perf_counter()
            time.sleep(20)  # the server's own background work, to tell from what the runs cost
            idle_rate = (server_cpu(server.process.pid) - idle0) / (time.perf_counter() - t0)
            for layout in args.layouts.split(","):
                results.append(measure_layout(layout, args, server, hosts, idle_rate, prefect_url))
                report = {
                    "args": vars(args),
                    "machine": machine(),
                    "commit": commit(),
                    "idle_server_cpu_per_s": idle_rate,
                    "load": [load_start, load_average()],
                    "wall_s": time.perf_counter() - started,
                    "layouts": results,
                }
                if args.json:  # after each layout: a later failure keeps what was measured
                    Path(args.json).write_text(json.dumps(report, default=str, indent=1), encoding="utf-8")
        finally:
            server.stop()
            drop_db(prefect_db)
    for layout in results:
        fixed = serial_fit(layout["serial"])
        print(layout["layout"], "serial", json.dumps(fixed))
        for phase, figures in layout["phases"].items():
            print(
                layout["layout"], phase, json.dumps(summarise(figures, layout["delay_s"], idle_rate, fixed))
            )
        print(layout["layout"], "check", json.dumps(scaling_summary(layout)))
    if args.write_docs:
        from bench.national_docs import write_docs

        write_docs(report, str(report["machine"]), str(report["commit"]))


if __name__ == "__main__":
    main()
