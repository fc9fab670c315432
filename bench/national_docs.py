"""The section of docs/benchmarks.md that `bench/national.py` measures, and the national plan
computed from it (`bench/national_plan.py`). Rendered from the bench's JSON, so the section can
be rewritten without measuring again: `python bench/national_docs.py run.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.national import scaling_summary, serial_fit, summarise, table_storage  # noqa: E402
from bench.national_plan import (  # noqa: E402
    DAY,
    HOUR,
    Cycle,
    Nation,
    RunCost,
    Storage,
    Worker,
    cycles_per_year,
    plan,
    yearly_storage,
)

HEADING = "## National cycle, time-scaled"
WINDOWS = {  # (cycle measured, the window it must fit in, what it stands for)
    "season": ("changed", 1.5 * HOUR, "season day, every column changed, 07:00–08:30"),
    "season-24h": ("changed", DAY, "season day, every column changed, within the day"),
    "quiet": ("unchanged", 1.5 * HOUR, "season day, nothing changed, 07:00–08:30"),
    "weekly": ("expired", DAY, "off-season week (columns read again in full), within the day"),
    "first": ("first", DAY, "the very first reading, within a day"),
}
REAL_DOCUMENT_BYTES = 500_000  # an assumed mean for real reports (PDF mostly); replace when measured


def layout_figures(layout: dict, idle_rate: float) -> tuple[dict, dict[str, dict]]:
    fixed = serial_fit(layout["serial"])
    phases = {name: summarise(p, layout["delay_s"], idle_rate, fixed) for name, p in layout["phases"].items()}
    return fixed, phases


def inputs(layout: dict, idle_rate: float) -> tuple[dict[str, Cycle], RunCost, Storage]:
    """The plan's inputs from one layout's measurements."""
    fixed, phases = layout_figures(layout, idle_rate)
    cycles = {
        name: Cycle(
            name,
            p["requests_per_agency"],
            p["cpu_ms_per_agency"] / 1000,
            p["server_cpu_ms_per_agency"] / 1000,
        )
        for name, p in phases.items()
    }
    run = RunCost(
        cpu_s=fixed["import_cpu_s"] + fixed["worker_fixed_s"],
        server_cpu_s=max(0.0, fixed["server_fixed_s"]),
        rss_mb=max(p["peak_rss_mb"] for p in phases.values()),
        requests=phases["first"]["robots_per_run"],
    )
    first = phases["first"]
    tables = table_storage(layout).values()
    storage = Storage(
        db_bytes_per_report_year=sum(t["rows_per_report_year"] * t["bytes_per_row"] for t in tables),
        db_bytes_per_cycle=sum(t["rows_per_cycle"] * t["bytes_per_row"] for t in tables),
        rows_per_report_year=sum(t["rows_per_report_year"] for t in tables),
        rows_per_cycle=sum(t["rows_per_cycle"] for t in tables),
        raw_bytes_per_document=first["raw_bytes_per_agency"] * first["agencies"] / max(1, first["raw_files"]),
    )
    return cycles, run, storage


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def measured_table(report: dict) -> list[str]:
    rows = [
        "| layout | cycle | agencies | requests / agency | of them 304 | bytes / agency | worker CPU / agency (ms) "
        "| Prefect server CPU / agency (ms) | busiest host (s) | host wall ÷ (requests × delay) "
        "| extra per request (ms) | gaps under the delay | DB rows / agency | DB bytes / agency |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for layout in report["layouts"]:
        _fixed, phases = layout_figures(layout, report["idle_server_cpu_per_s"])
        for name, p in phases.items():
            rows.append(
                f"| {layout['layout']} | {name} | {p['agencies']} | {p['requests_per_agency']:.1f} "
                f"| {100 * p['not_modified_share']:.0f}% | {_n(p['bytes_per_agency'])} | {p['cpu_ms_per_agency']:.0f} "
                f"| {p['server_cpu_ms_per_agency']:.0f} | {p['host_wall_s']:.1f} | {p['host_wall_over_delay']:.2f} "
                f"| {p['extra_ms_per_request']:.1f} | {p['too_soon']} | {p['db_rows_per_agency']:.2f} "
                f"| {_n(p['db_bytes_per_agency'])} |"
            )
    return rows


def fixed_table(report: dict) -> list[str]:
    rows = [
        "| layout | imports per run, CPU (s) | rest of a run's fixed CPU (s) | Prefect server per run (s) "
        "| Prefect server per agency, unchanged (ms) | peak RSS of a run (MB) | serial run walls (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for layout in report["layouts"]:
        fixed, phases = layout_figures(layout, report["idle_server_cpu_per_s"])
        rss = max(p["peak_rss_mb"] for p in phases.values())
        rows.append(
            f"| {layout['layout']} | {fixed['import_cpu_s']:.2f} | {fixed['worker_fixed_s']:.2f} "
            f"| {fixed['server_fixed_s']:.2f} | {fixed['server_ms_per_agency']:.0f} | {rss:.0f} "
            f"| {', '.join(str(w) for w in fixed['run_wall_s'])} |"
        )
    return rows


def scaling_table(report: dict) -> list[str]:
    rows = [
        "| layout | requests (district 0, expired) | wall at delay 1 (s) | wall at delay 2 (s) "
        "| predicted at delay 2 (s) | error |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for layout in report["layouts"]:
        c = scaling_summary(layout)
        d1, d2 = c["delay_s"]
        rows.append(
            f"| {layout['layout']} | {c['requests']} | {c['wall_s'][0]:.1f} (delay {d1 * 1000:.0f} ms) "
            f"| {c['wall_s'][1]:.1f} (delay {d2 * 1000:.0f} ms) | {c['predicted_s']:.1f} | {100 * c['error']:+.0f}% |"
        )
    return rows


def plan_table(report: dict, nation: Nation, worker: Worker) -> list[str]:
    rows = [
        "| layout | cycle and window | requests / host | one host at 1 req/s (h) | fits | district runs at once "
        "| worker CPU (core-h) | workers for CPU / for memory | workers | Prefect server cores |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for layout in report["layouts"]:
        cycles, run, _storage = inputs(layout, report["idle_server_cpu_per_s"])
        for measured, window, label in WINDOWS.values():
            p = plan(nation, cycles[measured], run, window, worker)
            rows.append(
                f"| {layout['layout']} | {label} | {_n(p.requests_per_host)} | {p.host_s / HOUR:.2f} "
                f"| {'yes' if p.fits else '**no**'} | {_n(p.hosts_at_once)} | {p.worker_cpu_s / HOUR:.1f} "
                f"| {p.workers_for_cpu} / {p.workers_for_runs} | **{p.workers}** | {p.server_cores:.2f} |"
            )
    return rows


def storage_table(report: dict, nation: Nation) -> list[str]:
    rows = [
        "| layout | DB per agency and report year | DB per agency and cycle | rows per agency-year | "
        f"a year ({cycles_per_year()} cycles), {nation.agencies:,} agencies: DB | rows | raw store (replica documents) "
        f"| raw store at {REAL_DOCUMENT_BYTES / 1e6:.1f} MB a document (assumed) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for layout in report["layouts"]:
        _cycles, _run, s = inputs(layout, report["idle_server_cpu_per_s"])
        year = yearly_storage(nation, s)
        real = nation.agencies * REAL_DOCUMENT_BYTES
        per_year_rows = s.rows_per_report_year + cycles_per_year() * s.rows_per_cycle
        rows.append(
            f"| {layout['layout']} | {_n(s.db_bytes_per_report_year / 1024, 1)} KB | {_n(s.db_bytes_per_cycle)} B "
            f"| {per_year_rows:.0f} | {year['db_bytes'] / 1e9:.1f} GB | {year['rows'] / 1e6:.1f} M "
            f"| {year['raw_bytes'] / 1e9:.2f} GB ({_n(s.raw_bytes_per_document / 1024, 1)} KB a document) "
            f"| {real / 1e9:.0f} GB |"
        )
    return rows


def tables_table(report: dict) -> list[str]:
    rows = [
        "| layout | table | rows per agency, first reading of a report year | rows per agency and cycle "
        "| bytes per row (with indexes) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for layout in report["layouts"]:
        for name, t in sorted(table_storage(layout).items(), key=lambda kv: -kv[1]["rows_per_report_year"]):
            if t["rows_per_report_year"] or t["rows_per_cycle"]:
                rows.append(
                    f"| {layout['layout']} | {name} | {t['rows_per_report_year']:.2f} | {t['rows_per_cycle']:.3f} "
                    f"| {_n(t['bytes_per_row'])} |"
                )
    return rows


def section(report: dict, machine: str, commit: str) -> str:
    args = report["args"]
    nation, worker = Nation(), Worker()
    sizes = report["layouts"][0]["sizes"]
    delay = report["layouts"][0]["delay_s"]
    command = (
        f"`.venv/bin/python bench/national.py --districts {args['districts']} --agencies {args['agencies']} "
        f"--k {args['k']:g} --layouts {args['layouts']} --years {args['years']} --write-docs`"
    )
    return "\n".join(
        [
            HEADING,
            "",
            f"Machine: {machine}; code of main at {commit}. {command} (or, from a saved run, "
            "`python bench/national_docs.py run.json`).",
            "",
            f"{len(sizes)} district portals, each on its own loopback host, of {', '.join(map(str, sizes))} agencies "
            f"(mean {sum(sizes) / len(sizes):.0f}; the country's is 110,000 / 2,800 ≈ 39), Hanweb columns listing "
            f"{args['years'].count(',') + 1} report years and the usual look-alikes (`replicas/national.py`); "
            f"*shared*: one column for the whole district (spec §1), *own*: one column per agency. Politeness "
            f"scaled by k = {args['k']:g}: {delay * 1000:.0f} ms per host instead of 1 s "
            "(`NIANBAO_PER_HOST_DELAY`), one Prefect slot per host. Each district is one `monitor` flow run in "
            "its own process, all at once, against one real `prefect server start` on PostgreSQL; the monitor "
            "on PostgreSQL (127.0.0.1:5432, a fresh database per layout). CPU is process_time of the run "
            "processes and /proc time of the server (not wall: the machine is shared), less each run's fixed "
            "cost (imports and what a run costs whatever its size, from the unchanged cycle run once more one "
            f"district at a time, fitted over run size) and the server's idle rate "
            f"({report['idle_server_cpu_per_s'] * 1000:.0f} ms a second). Cycles: *first* (nothing known; "
            "at most 100 articles per column and run, the rest deferred), *second* (next day: a column that "
            "had more is read again, and only then counts as read in full), *unchanged* (the day after; "
            "column pages 304 and stand for their reports), *changed* (a late report "
            "appears in every district: a day in the season), *expired* (nothing changed but the columns were "
            "last read in full more than NIANBAO_CRAWL_TRUST_DAYS ago: a weekly off-season run).",
            "",
            *measured_table(report),
            "",
            "*Host wall ÷ (requests × delay)* is what the delay alone would make a host last; the *extra per "
            "request* is what it does not cover (the replica's answer, the crawl's own work between a host's "
            "requests on a loaded machine); *gaps under the delay* counts successive requests to a host that "
            "arrived closer than the delay (0: polite throughout). Robots.txt (one per host and run) is not in "
            "the requests per agency.",
            "",
            "Fixed costs per flow run:",
            "",
            *fixed_table(report),
            "",
            "Scaling check: district 0's expired cycle again with the delay doubled; predicted = (requests − 1) × "
            "(delay + the extra per request measured at the first delay). When it holds, what the delay does "
            "not scale stays put, and the 1 s figures are the requests times (1 s + the extra + the portal's "
            "answer time).",
            "",
            *scaling_table(report),
            "",
            f"### The national plan from these figures ({nation.agencies:,} agencies, {nation.hosts:,} portals, "
            f"1 request a second per host, {nation.answer_s:g} s answer time assumed)",
            "",
            "One host's time = (agencies per host × requests per agency + 1) × (1 s + answer time); district runs "
            "at once = portals × that ÷ window; workers (2 cores, 4 GB, used to 70 %) = the more of CPU "
            "(agencies × CPU per agency + runs × fixed cost, over the window) and memory (runs at once × peak "
            "RSS). `bench/national_plan.py` has the arithmetic; deploy/README.md § National plan explains it.",
            "",
            *plan_table(report, nation, worker),
            "",
            "Storage (PostgreSQL table and index bytes, pg_database_size; the raw store holds each document "
            "version once):",
            "",
            *storage_table(report, nation),
            "",
            "By table (bytes per row = what the table with its indexes and TOAST grew by over the rows it "
            "gained; in 8 kB pages, so on a few hundred agencies this errs high):",
            "",
            *tables_table(report),
            "",
        ]
    )


def write_docs(report: dict, machine: str, commit: str) -> None:
    from bench.docs import replace_section

    replace_section(HEADING, section(report, machine, commit))


def main() -> None:
    from bench.national import commit, machine

    report = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    saved = report.get("machine"), report.get("commit")
    write_docs(report, saved[0] or machine(), saved[1] or commit())


if __name__ == "__main__":
    main()
