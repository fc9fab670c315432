"""CPU per agency of a crawl, new and unchanged, with the floor beside it.

N agencies of `bench/cycle.py`'s registry (each its own Hanweb column with one inline 2024
report; agency i on loopback host i mod H), crawled one after another in one thread of a fresh
child process, so `time.process_time()` over the pass divided by N is the CPU per agency:

* monitor, new       — `nianbao.crawl.service.monitor_agency` (with a run, as a flow task calls
  it) on an empty database: list page, report page, parse, checks, recorded;
* monitor, unchanged — the same again: the column page answers 304, nothing is parsed;
* floor, new         — the same requests and parses without the monitor's bookkeeping (no
  database, raw store, crawl cache file, health or deadline records): `discover` and
  `fetch_report_document` with a fresh in-memory cache, `parse_document` and `run_checks`;
* floor, unchanged   — the same again with the in-memory cache (the same conditional requests).

The passes run as the monitor flow runs its crawl: inside `startup_objects_frozen` (the
startup heap frozen for the garbage collector, nianbao/runtime/gc_tuning.py); BENCH_GC=default
leaves the collector as Python starts it, for comparison.

Also counted per agency: database sessions (transactions begun) and SQL statements.
BENCH_PROFILE=/tmp/p writes each monitor pass's cProfile stats to /tmp/p.monitor_new and
/tmp/p.monitor_unchanged (where the time goes; the CPU figures of that run are the profiler's).

    .venv/bin/python bench/agency_cost.py [--agencies 300] [--hosts 50] [--repeat 3] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024


class Counts:
    """Sessions (distinct Session objects that touched the database), transactions begun in
    them, and SQL statements."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event
        from sqlmodel import Session

        self.transactions = self.statements = 0
        self._sessions: dict[int, object] = {}  # held, so no id is reused by a later session
        event.listen(Session, "after_begin", self._begun)
        event.listen(engine, "before_cursor_execute", self._statement)

    @property
    def sessions(self) -> int:
        return len(self._sessions)

    def _begun(self, session: object, *_args: object) -> None:
        self._sessions[id(session)] = session
        self.transactions += 1

    def _statement(self, *_args: object) -> None:
        self.statements += 1


def _profiler(profile_to: str | None) -> Any:
    """A running cProfile for one pass when BENCH_PROFILE names where its stats go (the figures
    it prints are then not the monitor's, only the split of them)."""
    if not profile_to:
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def child() -> dict:
    from bench.cycle import crawl_collector, synced_registry
    from models.db import get_engine
    from nianbao.crawl.runs import start_run
    from nianbao.runtime.settings import get_settings

    settings = get_settings()
    registry = synced_registry(settings)
    codes = [a.code for j in registry.jurisdictions for a in j.agencies]
    run_id = start_run(settings, trigger="bench", scope="all")
    counts = Counts(get_engine(settings.db_url))
    out: dict = {"agencies": len(codes)}
    with crawl_collector():
        return _passes(out, settings, registry, codes, run_id, counts)


def _passes(out: dict, settings: Any, registry: Any, codes: list[str], run_id: int, counts: Counts) -> dict:
    """The four passes: the monitor new and unchanged, then the floor new and unchanged."""
    from nianbao.crawl import service
    from reports.checks import run_checks
    from reports.checks.base import CheckContext
    from reports.parse import parse_document
    from scrapers.conditional import CrawlCache
    from scrapers.discover import discover, fetch_report_document
    from scrapers.fetcher import Fetcher, FetchError

    agencies = [a for j in registry.jurisdictions for a in j.agencies]

    fetcher = Fetcher(settings.fetch_config())
    profile_to = os.environ.get("BENCH_PROFILE")
    for label in ("monitor_new", "monitor_unchanged"):
        sessions, transactions, statements = counts.sessions, counts.transactions, counts.statements
        profiler = _profiler(profile_to)
        began = time.process_time()
        outcomes = [
            service.monitor_agency(settings, fetcher, code, years={YEAR}, run_id=run_id) for code in codes
        ]
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile_to}.{label}")
        out[label] = {
            "cpu_ms": round((time.process_time() - began) * 1000 / len(codes), 2),
            "sessions": round((counts.sessions - sessions) / len(codes), 1),
            "transactions": round((counts.transactions - transactions) / len(codes), 1),
            "statements": round((counts.statements - statements) / len(codes), 1),
            "ok": sum(o.outcome == "ok" for o in outcomes),
            "new": sum(o.new_versions for o in outcomes),
        }
    fetcher.close()

    fetcher = Fetcher(settings.fetch_config())
    caches = {a.code: CrawlCache() for a in agencies}
    for label in ("floor_new", "floor_unchanged"):
        parsed = 0
        began = time.process_time()
        for a in agencies:
            cache, hosts = caches[a.code], list(a.allowed_hosts)
            for entry in a.entry_urls:
                found = discover(str(entry), fetcher, allowed_hosts=hosts, validators=cache)
                for report in found.reports:
                    if report.year != YEAR:
                        continue
                    result = fetch_report_document(report, fetcher, hosts, validators=cache)
                    if isinstance(result, FetchError) or result.not_modified:
                        continue
                    cache.record(result)
                    doc = parse_document(
                        result.content, content_type=result.content_type, filename=report.url
                    )
                    run_checks(doc, CheckContext(agency_kind="department"))
                    parsed += 1
        out[label] = {
            "cpu_ms": round((time.process_time() - began) * 1000 / len(codes), 2),
            "parsed": parsed,
        }
    fetcher.close()
    return out


def measure(n: int, hosts: int, repeat: int) -> list[dict]:
    from bench.cycle import bench_registry, monitor_env, run_child
    from replicas.multihost import MultiHostReplica, bench_district, loopback_addresses

    addresses = loopback_addresses(hosts)
    portal = MultiHostReplica(bench_district(n)[0], addresses)
    runs = []
    try:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="bench-agency-") as tmp:
                root = Path(tmp)
                env = monitor_env(root, bench_registry(n, portal.port, addresses))
                runs.append(run_child(__file__, ["--child"], env, root, timeout=1800))
                print(json.dumps(runs[-1]), flush=True)
    finally:
        portal.stop()
    return runs


def write_docs(runs: list[dict], n: int, hosts: int, load: str, label: str) -> None:
    from bench.cycle import machine
    from bench.docs import replace_section

    def cpu(key: str) -> str:
        values = [r[key]["cpu_ms"] for r in runs]
        low, high = min(values), max(values)
        return f"{median(values):.1f}" + ("" if low == high else f" ({low:.1f}–{high:.1f})")

    first = runs[0]
    heading = "## CPU per agency"
    section = "\n".join(
        [
            heading,
            "",
            f"Machine: {machine()}; {load}. `bench/agency_cost.py`: {n} agencies on {hosts} loopback hosts "
            "(bench/cycle.py's registry: each agency its own Hanweb column with one inline 2024 report), crawled "
            "one after another in one thread of a fresh process, the monitor on SQLite; CPU = time.process_time() "
            "over the pass / agencies, the median over the runs (range in brackets). The floor makes the same "
            "requests and parses (discover, fetch, parse_document, run_checks with an in-memory crawl cache) "
            "without the monitor's bookkeeping.",
            "",
            "| pass | monitor CPU (ms / agency) | floor CPU (ms / agency) | database sessions / agency "
            "| transactions / agency | SQL statements / agency |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {title} | {cpu('monitor_' + key)} | {cpu('floor_' + key)} | {first['monitor_' + key]['sessions']} "
                f"| {first['monitor_' + key].get('transactions', '–')} | {first['monitor_' + key]['statements']} |"
                for title, key in (("new (first crawl)", "new"), ("unchanged (304s)", "unchanged"))
            ),
            "",
            label,
            "",
            f"Command: `.venv/bin/python bench/agency_cost.py --agencies {n} --hosts {hosts} --repeat {len(runs)} --write-docs`.",
            "",
        ]
    )
    replace_section(heading, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--note", default="", help="a line under the table (what changed, the before figures)"
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child()))
        return
    load = f"load average {os.getloadavg()[0]:.1f} at the start"
    runs = measure(args.agencies, args.hosts, args.repeat)
    if args.write_docs:
        write_docs(runs, args.agencies, args.hosts, load, args.note)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
