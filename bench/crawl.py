"""Crawl cost on a replica district: 100 agencies × 3 years, 20 ms server latency per request.

First crawl, then unchanged second crawls: with the per-document validators alone
(Document.etag / last_modified), with a `CrawlCache` trusted (entry-page 304 short-circuit: a
scheduled run within `crawl_trust_days`), and with the cache read in full (a manual recrawl, or
the first scheduled run after the trust window: every article and PDF asked conditionally).
Writes the `## Crawling` section of docs/benchmarks.md.

    .venv/bin/python -m bench.crawl [--agencies 100] [--latency 0.02]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("NIANBAO_ALLOW_PRIVATE_HOSTS", "true")  # the replica is on 127.0.0.1

from bench.docs import replace_section
from replicas.families import hanweb
from replicas.families.units import make_pubs
from replicas.server import ReplicaServer
from scrapers.conditional import CrawlCache, Validators
from scrapers.discover import discover, fetch_report_document
from scrapers.fetcher import FETCH_RETRY, FetchConfig, Fetcher, FetchResult

HOSTS = ["127.0.0.1"]


def build_district(agencies: int) -> tuple[dict, list[str]]:
    """One Hanweb column per agency (layout 2 of spec §2), 3 reports each, a third as PDFs."""
    pubs = make_pubs("示范区", agencies, lookalikes=False, first_id=3_000_000)
    by_agency: dict[str, list] = {}
    for p in pubs:
        by_agency.setdefault(p.agency, []).append(p)
    columns = [
        hanweb.Column(4_000 + i, f"{name}年报", sorted(ps, key=lambda p: p.date, reverse=True))
        for i, (name, ps) in enumerate(by_agency.items())
    ]
    routes, _want = hanweb.build("/sfq", "示范区", columns)
    return routes, [f"/sfq/col/col{c.colid}/index.html" for c in columns]


def crawl(
    server: ReplicaServer,
    entries: list[str],
    validators: Validators | CrawlCache | None,
    doc_paths: set[str] | None = None,
) -> tuple[dict[str, Any], dict[str, tuple[str | None, str | None]]]:
    """Discover and fetch every report like the pipeline does; return figures and new validators."""
    server.requests.clear()
    docs: dict[str, tuple[str | None, str | None]] = {}
    reports = unchanged = 0
    started = time.perf_counter()
    config = FetchConfig(
        per_host_delay=0, allow_private_hosts=True, retry=FETCH_RETRY.with_(attempts=2, base_delay=0.05)
    )
    with Fetcher(config) as fetcher:
        for path in entries:
            result = discover(server.url(path), fetcher, HOSTS, validators=validators)
            assert not result.errors, result.errors
            for found in result.reports:
                doc = fetch_report_document(found, fetcher, HOSTS, validators=validators)
                assert isinstance(doc, FetchResult), doc
                reports += 1
                unchanged += doc.not_modified
                docs[doc.url] = (doc.etag, doc.last_modified)
                if doc_paths is not None and not doc.not_modified:
                    doc_paths.add(urlsplit(doc.final_url).path)
    wall = time.perf_counter() - started
    log = list(server.requests)
    wanted = doc_paths or set()
    report_bytes = sum(r.bytes for r in log if r.path in wanted)
    figures = {
        "wall_s": wall,
        "requests": len(log),
        "bytes": sum(r.bytes for r in log),
        "report_bytes": report_bytes,
        "not_modified": sum(r.status == 304 for r in log),
        "reports": reports,
        "unchanged": unchanged,
    }
    return figures, docs


def machine() -> str:
    cpu = "unknown CPU"
    try:
        text = Path("/proc/cpuinfo").read_text()
        if m := re.search(r"^model name\s*:\s*(.+)$", text, re.M):
            cpu = m.group(1).strip()
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {date.today().isoformat()}"


def render(runs: Mapping[str, dict[str, Any]], agencies: int, latency: float) -> str:
    first = runs["first"]
    lines = [
        "## Crawling",
        "",
        f"`python -m bench.crawl`: replica Hanweb district, {agencies} agencies × 3 years "
        f"(one column each, a third of the reports as PDF attachments), {latency * 1000:.0f} ms "
        "server-side latency per request, one sequential fetcher (no politeness delay).",
        f"Machine: {machine()}.",
        "",
        "| crawl | wall time | requests | bytes sent | report-body bytes | 304s | vs first (time) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, label in (
        ("first", "first"),
        ("documents", "unchanged, Document validators"),
        ("cache", "unchanged, CrawlCache"),
        ("full", "unchanged, CrawlCache read in full"),
    ):
        r = runs[name]
        lines.append(
            f"| {label} | {r['wall_s']:.2f} s | {r['requests']} | {r['bytes']:,} | {r['report_bytes']:,} "
            f"| {r['not_modified']} | {r['wall_s'] / first['wall_s']:.0%} |"
        )
    lines += [
        "",
        "- *Document validators*: `{url: (etag, last_modified)}` of the last fetched document per report "
        "(what the Document table stores). Column pages and the articles of PDF reports are re-read; "
        "inline reports and PDFs answer 304, so no report body is downloaded again.",
        "- *CrawlCache*: also keeps each column page's validators and last crawl's reports; a 304 on the "
        "column page ends the crawl of that column (a scheduled run, for `NIANBAO_CRAWL_TRUST_DAYS`, "
        "default 7, after the column was last read in full).",
        "- *CrawlCache read in full*: a manual recrawl, or the first scheduled run after that window: "
        "column pages, articles and the PDF each report was read from are all asked conditionally, so a "
        "corrected PDF uploaded under an unchanged article is found.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    routes, entries = build_district(args.agencies)
    runs: dict[str, dict[str, Any]] = {}
    with ReplicaServer(routes, latency=args.latency) as server:
        doc_paths: set[str] = set()  # report bodies: inline articles and the PDFs behind downfile.jsp
        runs["first"], docs = crawl(server, entries, None, doc_paths)
        runs["documents"], _ = crawl(server, entries, docs, doc_paths)
        cache = CrawlCache()
        crawl(server, entries, cache)  # fills the cache (same cost as a first crawl)
        runs["cache"], _ = crawl(server, entries, CrawlCache.from_json(cache.to_json()), doc_paths)
        in_full = CrawlCache.from_json(cache.to_json())
        in_full.trust_unchanged_entry = False
        runs["full"], _ = crawl(server, entries, in_full, doc_paths)
    for name, r in runs.items():
        print(f"{name:10s} {r}")
    section = render(runs, args.agencies, args.latency)
    print(section)
    if not args.no_write:
        replace_section("## Crawling", section)


if __name__ == "__main__":
    main()
