"""CPU per agency on a shared column, one district crawled in one process as a flow run does it.

A district of N agencies whose one Hanweb column lists every agency's reports for three years
and the usual look-alikes (`replicas/national.py`, shared layout), on a loopback host; each
agency crawled one after another in one thread of a fresh child process through one run memo
(`scrapers.run_memo`: every page asked of the portal once), the monitor on SQLite:

* first     — nothing known: each agency reads the column and every article on it to find its own
  report, then fetches, parses, checks and records that one;
* again     — every column read again in full (a manual recrawl, or a week off season): nothing
  changed, every page asked again conditionally;
* unchanged — the column pages answer 304 and stand for their reports.

`bench/national.py` measures the same per agency as the slope of run CPU over run size across
districts at once, which the machine's noise moves by ±10 ms; this is the same work without the
fit. CPU = time.process_time() over the pass / N; each pass inside `startup_objects_frozen` as
the monitor flow runs its crawl (BENCH_GC=default leaves the collector as Python starts it).

    .venv/bin/python bench/shared_column.py [--agencies 39] [--repeat 3] [--write-docs] [--note ...]
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

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024
PASSES = ("first", "again", "unchanged")


def child() -> dict[str, float]:
    from bench.cycle import crawl_collector, synced_registry
    from nianbao.crawl import service
    from nianbao.crawl.runs import start_run
    from nianbao.runtime.settings import get_settings
    from scrapers.fetcher import Fetcher
    from scrapers.run_memo import RunMemo, remembering

    settings = get_settings()
    registry = synced_registry(settings)
    codes = [a.code for j in registry.jurisdictions for a in j.agencies]
    out: dict[str, float] = {}
    for label in PASSES:
        run_id = start_run(settings, trigger="bench", scope=label)
        fetcher = remembering(Fetcher(settings.fetch_config()), RunMemo())  # one run, one memo
        with crawl_collector():
            began = time.process_time()
            outcomes = [
                service.monitor_agency(
                    settings, fetcher, code, years={YEAR}, run_id=run_id, read_in_full=label == "again"
                )
                for code in codes
            ]
            out[label] = round((time.process_time() - began) * 1000 / len(codes), 2)
        if not all(o.outcome == "ok" for o in outcomes):
            raise RuntimeError(f"{label}: not every agency was crawled: {outcomes[:3]}")
        fetcher.close()
    return out


def measure(agencies: int, repeat: int) -> list[dict[str, float]]:
    from bench.cycle import monitor_env, run_child
    from bench.national import registry
    from replicas.multihost import MultiHostReplica, loopback_addresses
    from replicas.national import build_district

    routes, members = build_district(0, agencies, (2022, 2023, YEAR), "shared")
    hosts = loopback_addresses(1)
    portal = MultiHostReplica(routes, hosts)
    runs = []
    try:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp:
                root = Path(tmp)
                env = monitor_env(root, registry(members, hosts, portal.port))
                runs.append(run_child(__file__, ["--child"], env, root, timeout=1800))
                print(json.dumps(runs[-1]), flush=True)
    finally:
        portal.stop()
    return runs


def write_docs(runs: list[dict[str, float]], agencies: int, load: str, note: str) -> None:
    from bench.cycle import machine
    from bench.docs import replace_section

    def cell(label: str) -> str:
        values = [r[label] for r in runs]
        return f"{median(values):.1f} ({min(values):.1f}–{max(values):.1f})"

    heading = "## Shared column, one district in one process"
    replace_section(
        heading,
        "\n".join(
            [
                heading,
                "",
                f"Machine: {machine()}; {load}. `bench/shared_column.py`: one district of {agencies} agencies "
                "whose one Hanweb column lists every agency's reports for 2022–2024 and the look-alikes, crawled "
                "agency after agency through one run memo in one thread of a fresh process, the monitor on SQLite; "
                f"CPU per agency, the median of {len(runs)} runs (range in brackets).",
                "",
                "| pass | CPU (ms / agency) |",
                "| --- | ---: |",
                f"| first (nothing known: the column and every article read, the agency's report recorded) | {cell('first')} |",
                f"| again (every column read again in full, nothing changed) | {cell('again')} |",
                f"| unchanged (the column pages answer 304) | {cell('unchanged')} |",
                "",
                *([note, ""] if note else []),
                f"Command: `.venv/bin/python bench/shared_column.py --agencies {agencies} --repeat {len(runs)} --write-docs`.",
                "",
            ]
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=39)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--note", default="", help="a paragraph under the table (the before figures)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child()))
        return
    load = f"load average {os.getloadavg()[0]:.1f} at the start"
    runs = measure(args.agencies, args.repeat)
    if args.write_docs:
        write_docs(runs, args.agencies, load, args.note)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
