"""The section of docs/benchmarks.md that `bench/national.py` measures, and the national plan
computed from it (`bench/national_plan.py`): in docs/benchmarks.md with every figure, and in
deploy/README.md § National plan for the people who size a deployment. Both are rendered from
the bench's JSON by this module, so they cannot disagree and can be rewritten without measuring
again: `python bench/national_docs.py run.json`."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
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
    host_seconds,
    plan,
    prefect_yearly_bytes,
    yearly_storage,
)

HEADING = "## National cycle, time-scaled"
PLAN_HEADING = "## National plan"
README = REPO / "deploy" / "README.md"
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
    """The plan's inputs from one layout's measurements. A CPU per agency that comes out below zero
    (a short cycle whose CPU is less than its runs' fixed cost and the server's idle rate, fitted
    on other runs, make it: noise) counts as zero; the run's fixed cost still carries the cycle."""
    fixed, phases = layout_figures(layout, idle_rate)
    cycles = {
        name: Cycle(
            name,
            p["requests_per_agency"],
            max(0.0, p["cpu_ms_per_agency"] / 1000),
            max(0.0, p["server_cpu_ms_per_agency"] / 1000),
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


def load_range(report: dict) -> str:
    """The 1-minute load averages seen at the start and end of the run and of each cycle."""
    seen = [x for x in report.get("load", []) if x is not None]
    for layout in report["layouts"]:
        for phase in layout["phases"].values():
            seen.extend(x for x in phase.get("load", []) if x is not None)
    if not seen:
        return "load average not recorded"
    return f"load average {min(seen):.1f}–{max(seen):.1f} (1 min, at the start and end of each cycle)"


def command(args: dict) -> str:
    return (
        f"`.venv/bin/python bench/national.py --districts {args['districts']} --agencies {args['agencies']} "
        f"--k {args['k']:g} --layouts {args['layouts']} --years {args['years']} --json run.json --write-docs`"
    )


def measured_table(report: dict) -> list[str]:
    rows = [
        "| layout | cycle | agencies | requests / agency | distinct URLs / agency | of them 304 | bytes / agency "
        "| worker CPU / agency (ms) "
        "| Prefect server CPU / agency (ms) | busiest host (s) | host wall ÷ (requests × delay) "
        "| extra per request (ms) | gaps under the delay | DB rows / agency | DB bytes / agency |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for layout in report["layouts"]:
        _fixed, phases = layout_figures(layout, report["idle_server_cpu_per_s"])
        for name, p in phases.items():
            rows.append(
                f"| {layout['layout']} | {name} | {p['agencies']} | {p['requests_per_agency']:.1f} "
                f"| {p['distinct_per_agency']:.1f} "
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
    wall = f", {report['wall_s'] / 60:.0f} min wall in all" if "wall_s" in report else ""
    return "\n".join(
        [
            HEADING,
            "",
            f"Machine: {machine}; {load_range(report)}{wall}; code of main at {commit}. {command(args)} "
            "(or, from a saved run, `python bench/national_docs.py run.json`).",
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
            "*Distinct URLs / agency*: the URLs among those requests, each counted once per host and cycle; "
            "a run asks each URL once (`scrapers/run_memo.py`: every agency of the run reads a shared column "
            "and its articles, from what the run read), so the two differ by what several runs of a cycle ask "
            "again (robots.txt aside). "
            "*Host wall ÷ (requests × delay)* is what the delay alone would make a host last; the *extra per "
            "request* is what it does not cover (the replica's answer, the crawl's own work between a host's "
            "requests on a loaded machine); *gaps under the delay* counts successive requests to a host that "
            "arrived closer than the delay (0: polite throughout). Robots.txt (one per host and run) is not in "
            "the requests per agency. A CPU per agency below zero (a worker's or the Prefect server's) means "
            "the cycle cost less than its runs' fixed cost (fitted on the serial runs) and the server's idle rate: within the "
            "noise of this machine, counted as zero by the plan.",
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
            "Storage (PostgreSQL table and index bytes, each measured after a VACUUM as autovacuum runs between "
            "daily cycles, pg_database_size; the raw store holds each document version once):",
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


def _busiest(layout: dict, phase: str) -> tuple[int, int]:
    """(agencies, requests) of the replica's host with the most requests in `phase`."""
    hosts = [h for h in layout["phases"][phase]["hosts"].values() if h["requests"]]
    busiest = max(hosts, key=lambda h: h["requests"])
    return max(layout["sizes"]), int(busiest["requests"])


def plan_section(report: dict, machine: str) -> str:
    """deploy/README.md § National plan: the measured figures per agency and what they make of
    110,000 agencies, every number from `bench/national_plan.py` on the bench's JSON."""
    nation, worker = Nation(), Worker()
    idle = report["idle_server_cpu_per_s"]
    layouts = report["layouts"]
    names = {"shared": "shared column", "own": "own column"}
    head = "| | " + " | ".join(names.get(ly["layout"], ly["layout"]) for ly in layouts) + " |"
    rule = "| --- |" + " ---: |" * len(layouts)
    figures = [layout_figures(ly, idle) for ly in layouts]
    plans = [inputs(ly, idle) for ly in layouts]
    k = report["args"]["k"]
    delay_ms = layouts[0]["delay_s"] * 1000

    def row(label: str, cell: Callable[[int], str]) -> str:
        return f"| {label} | " + " | ".join(cell(i) for i in range(len(layouts))) + " |"

    def req(phase: str) -> Callable[[int], str]:
        return lambda i: f"{figures[i][1][phase]['requests_per_agency']:.1f}"

    def cpu(phase: str, key: str) -> Callable[[int], str]:
        def cell(i: int) -> str:
            ms = figures[i][1][phase][key]
            return f"{ms:.0f}" if ms >= 0.5 else f"≈ 0 ({ms:.1f}: within the noise)"

        return cell

    def year_db(i: int) -> float:
        return float(yearly_storage(nation, plans[i][2])["db_bytes"])

    measured = [
        head,
        rule,
        row("requests per agency, first full read (nothing known yet)", req("first")),
        row("… the next day (articles the 100-article cap left over)", req("second")),
        row("… columns read again in full, nothing changed (weekly, off season)", req("expired")),
        row("… a season day on which every portal's column changed", req("changed")),
        row("… an unchanged cycle (column pages answer 304)", req("unchanged")),
        row(
            "distinct URLs per agency in the first read",
            lambda i: f"{figures[i][1]['first']['distinct_per_agency']:.1f}",
        ),
        row("worker CPU per agency, first read (ms)", cpu("first", "cpu_ms_per_agency")),
        row("worker CPU per agency, read again in full (ms)", cpu("expired", "cpu_ms_per_agency")),
        row("worker CPU per agency, unchanged cycle (ms)", cpu("unchanged", "cpu_ms_per_agency")),
        row("worker CPU per flow run, whatever its size (s)", lambda i: f"{plans[i][1].cpu_s:.1f}"),
        row("Prefect server CPU per agency, first read (ms)", cpu("first", "server_cpu_ms_per_agency")),
        row(
            "Prefect server CPU per agency, unchanged cycle (ms)",
            cpu("unchanged", "server_cpu_ms_per_agency"),
        ),
        row("peak memory of one flow run (MB)", lambda i: f"{plans[i][1].rss_mb:.0f}"),
        row(
            f"monitor database per agency and year ({cycles_per_year()} cycles, kB)",
            lambda i: f"{year_db(i) / nation.agencies / 1000:.0f}",
        ),
        row(
            "Prefect database growth per agency, one cycle, first read / unchanged (kB)",
            lambda i: (
                f"{figures[i][1]['first']['prefect_db_bytes_per_agency'] / 1000:.0f} / "
                f"{figures[i][1]['unchanged']['prefect_db_bytes_per_agency'] / 1000:.0f}"
            ),
        ),
    ]
    windows = [
        "| layout | cycle | window | one portal (h) | fits | district runs at once (processes) "
        "| worker CPU (core-h) | machines for CPU / for memory | worker machines, 2 cores | Prefect server cores |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for i, ly in enumerate(layouts):
        for measured_cycle, window, label in WINDOWS.values():
            pl = plan(nation, plans[i][0][measured_cycle], plans[i][1], window, worker)
            what, _, when = label.rpartition(", ")
            windows.append(
                f"| {names.get(ly['layout'], ly['layout'])} | {what} | {when} ({window / HOUR:g} h) "
                f"| {pl.host_s / HOUR:.2f} | {'yes' if pl.fits else '**no**'} | {_n(pl.hosts_at_once)} "
                f"| {pl.worker_cpu_s / HOUR:.1f} | {pl.workers_for_cpu} / {pl.workers_for_runs} | **{pl.workers}** "
                f"| {pl.server_cores:.2f} |"
            )
    storage = []
    for i, ly in enumerate(layouts):
        year = yearly_storage(nation, plans[i][2])
        prefect = prefect_yearly_bytes(nation, figures[i][1]["unchanged"]["prefect_db_bytes_per_agency"])
        storage.append(
            f"* {names.get(ly['layout'], ly['layout'])}: **{year['db_bytes'] / 1e9:.0f} GB** of monitor "
            f"database a year ({year['rows'] / 1e6:.0f} M rows; {_n(plans[i][2].db_bytes_per_report_year / 1000)} kB "
            f"per agency for a report year's first reading, {_n(plans[i][2].db_bytes_per_cycle)} B per agency "
            "and cycle after that); the Prefect server's database grows by at most about "
            f"{prefect / 1e9:.0f} GB a year (the unchanged cycle's growth, events included) if no flow run is "
            "ever deleted."
        )
    shared = next((i for i, ly in enumerate(layouts) if ly["layout"] == "shared"), None)
    redundancy: list[str] = []
    if shared is not None:
        first = figures[shared][1]["first"]
        changed = figures[shared][1]["changed"]
        agencies, busiest = _busiest(layouts[shared], "changed")
        redundancy = [
            "",
            "**Shared columns.** On a shared column (the usual case, spec §1) every agency of a district "
            "reads the same column and its articles to find its own report. A run asks the portal for each "
            "page once and answers every agency's request from what it read — the body, or a 304 to the "
            "validators of the version the run saw (`scrapers/run_memo.py`), and what a list page or an "
            "article says is read off it once per page content (`scrapers/content_memo.py`); each agency "
            f"still records what it found itself. In the first read an agency cost {first['requests_per_agency']:.1f} "
            f"requests ({first['distinct_per_agency']:.1f} distinct URLs); a day on which a district's column "
            f"changed, {changed['requests_per_agency']:.1f}. The replica's largest district ({agencies} agencies) "
            f"asked {_n(busiest)} requests that day, {host_seconds(busiest, nation) / HOUR:.2f} h at 1 request "
            "a second. Before the memo (measured 2026-12-02 at 57a7ba6) an agency asked 98 requests for 3 "
            "distinct URLs, a portal was read as many times a cycle as it has agencies, and the season needed "
            "201 worker machines, for memory: a process per district run waiting on its portal.",
        ]
    season = WINDOWS["season"]
    summary = ["In short (the figures and how they were reached follow):", ""]
    server_cores: list[float] = []
    for key, what in (
        ("season", "a season day on which every portal's column changed, done by 08:30"),
        ("quiet", "a season day on which nothing changed, done by 08:30"),
        ("weekly", "an off-season week's run (columns read again in full), done within the day"),
    ):
        measured_cycle, window, _label = WINDOWS[key]
        cells = []
        for i, ly in enumerate(layouts):
            pl = plan(nation, plans[i][0][measured_cycle], plans[i][1], window, worker)
            machines = "machine" if pl.workers == 1 else "machines"
            cells.append(
                f"{names.get(ly['layout'], ly['layout'])}s, **{pl.workers}** worker {machines} "
                f"({_n(pl.hosts_at_once)} district runs at once{'' if pl.fits else ', and a portal does not fit'})"
            )
            server_cores.append(pl.server_cores)
        summary.append(f"* {what}: {'; '.join(cells)};")
    years = [yearly_storage(nation, plans[i][2])["db_bytes"] / 1e9 for i in range(len(layouts))]
    prefect_years = [
        prefect_yearly_bytes(nation, figures[i][1]["unchanged"]["prefect_db_bytes_per_agency"]) / 1e9
        for i in range(len(layouts))
    ]
    summary.append(
        f"* the monitor's database: **{min(years):.0f}–{max(years):.0f} GB a year** on PostgreSQL, plus the "
        f"raw documents (about {nation.agencies * REAL_DOCUMENT_BYTES / 1e9:.0f} GB a report year at "
        f"{REAL_DOCUMENT_BYTES / 1e6:.1f} MB a report, assumed); the Prefect server: "
        f"{max(server_cores):.2f} cores at most"
        + (
            f", within one {worker.cores}-core machine;"
            if max(server_cores) <= worker.cores * worker.utilisation
            else f", more than one {worker.cores}-core machine;"
        )
        + f" its database up to about {max(prefect_years):.0f} GB a year if no flow run were ever deleted (below)."
    )
    storage.append(
        "* Prefect 3.8 keeps flow runs, task runs and their logs until they are deleted (events: 7 days, "
        "`PREFECT_SERVER_EVENTS_RETENTION_PERIOD`). The compose file turns its vacuum service on for "
        "them (`PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=events,flow_runs`) with a retention of 90 days "
        "(`PREFECT_RUN_RETENTION` in `.env`, ISO 8601 such as `P180D`), bounding the server's database "
        "to that many days of cycles — about a quarter of the year's figure above (the vacuum itself not "
        "measured here). The monitor's database keeps every crawl, report and finding regardless."
    )
    lines = [
        PLAN_HEADING,
        "",
        f"What {nation.agencies:,} agencies on about {nation.hosts:,} district portals need, at one request a "
        "second per portal. Rendered by `bench/national_docs.py` from a run of `bench/national.py` (the "
        "time-scaled simulation on replica portals, every figure in `docs/benchmarks.md` § National cycle, "
        "time-scaled); the arithmetic is `bench/national_plan.py`.",
        "",
        *summary,
        "",
        "Measured per agency on the replica "
        f"(*shared column*: a district's one column lists every agency's reports, {report['args']['years'].count(',') + 1} "
        "report years and look-alikes; *own column*: one column per agency):",
        "",
        *measured,
        "",
        f"The daily windows: in season (January–March) the monitor runs every day at 07:00 and the deadline "
        f"check reads its results at 08:30, so a season day's cycle has {season[1] / HOUR:g} h; off season it runs on "
        "Mondays and has the day. One portal's time = (agencies per portal × requests per agency + robots.txt) × "
        f"(1 s + {nation.answer_s:g} s answer time); a district is one flow run (one process), so the runs at once "
        "are the portals × that time ÷ the window; worker machines (2 cores, 4 GB, used to "
        f"{worker.utilisation:.0%}) are the more of what the cycle's CPU needs over the window and what the runs "
        "at once need in memory; the Prefect server's cores are its CPU over the window at the same use.",
        "",
        *windows,
        *redundancy,
        "",
        "Database for the whole country:",
        "",
        *storage,
        f"* Raw documents: {REAL_DOCUMENT_BYTES / 1e6:.1f} MB a report assumed (the replica's are "
        f"{plans[0][2].raw_bytes_per_document / 1000:.0f} kB), about "
        f"{nation.agencies * REAL_DOCUMENT_BYTES / 1e9:.0f} GB a report year on the shared `NIANBAO_DATA_DIR`.",
        "",
        "Assumptions: 1 request a second per portal (`NIANBAO_PER_HOST_DELAY`, one slot per host), the "
        f"simulation at k = {k:g} ({delay_ms:.0f} ms per host, loopback hosts) with the scaling check of "
        "`docs/benchmarks.md` (doubling the delay moves a host's wall time as requests × delay predicts); "
        f"a portal's answer time {nation.answer_s:g} s per request; "
        f"{nation.agencies / nation.hosts:.0f} agencies per portal on average (districts of "
        f"{min(layouts[0]['sizes'])}–{max(layouts[0]['sizes'])} on the replica); the monitor's own cycle "
        f"count ({cycles_per_year()} a year: 90 season days, 39 Mondays). Measured on one shared machine "
        f"({machine}; {load_range(report)}): the CPU figures are process CPU, not wall, but contention "
        "inflates them, so the worker counts err high.",
        "",
        "Not measured: real portals' answer times, errors, retries and anti-bot pages; PDF and scanned "
        "reports of real size (the replica's are small, so parse CPU and the raw store are low); OCR; "
        "alert delivery (apprise is not configured in the run); districts far larger than the replica's; "
        "several worker machines, and thousands of flow runs at once against one Prefect server (here "
        f"{len(layouts[0]['sizes'])} at once, on one machine); the Prefect database under its retention "
        "settings over a year (only its growth per cycle).",
        "",
        f"Measure again (about {report.get('wall_s', 0) / 60:.0f} min here; PostgreSQL on 127.0.0.1:5432, "
        "or `NIANBAO_TEST_PG_ADMIN_URL`), then render again from the saved run without measuring:",
        "",
        "```sh\n"
        + command(report["args"]).strip("`")
        + "\n.venv/bin/python bench/national_docs.py run.json\n```",
    ]
    return "\n".join(_wrap(line) for line in lines) + "\n"


def _wrap(line: str, width: int = 100) -> str:
    """The README's prose wrapped as the rest of it is; tables stay one row a line."""
    if not line or line.startswith(("|", "#", "```")):
        return line
    indent = "  " if line.startswith("* ") else ""
    return textwrap.fill(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


def write_docs(report: dict, machine: str, commit: str) -> None:
    from bench.docs import replace_section

    replace_section(HEADING, section(report, machine, commit))
    replace_section(PLAN_HEADING, plan_section(report, machine), README)


def main() -> None:
    from bench.national import commit, machine

    report = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    saved = report.get("machine"), report.get("commit")
    write_docs(report, saved[0] or machine(), saved[1] or commit())


if __name__ == "__main__":
    main()
