"""`nianbao check`, `discover` and `rules`: one report file or URL, one column, the rule list;
nothing is written to the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from nianbao.cli.common import app, console, fail, get_settings


@app.command()
def check(
    path: Annotated[str, typer.Argument(help="A report file (text, HTML, PDF, DOCX) or an http(s) URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON shape.")] = False,
    kind: Annotated[str, typer.Option(help="Agency kind for kind-dependent checks.")] = "department",
    level: Annotated[
        str | None,
        typer.Option(help="province | city | county | town (default: as the report's unit name tells)."),
    ] = None,
) -> None:
    """Parse and check one report file; print its tables and findings."""
    from nianbao.reporting.present import print_decoding, print_findings, print_report
    from reports.checks import run_checks
    from reports.checks.base import CheckContext
    from reports.checks.readability import readability, unreadable_finding
    from reports.parse import parse_document

    content_type, fetch_image, base_url, fetcher = None, None, None, None
    if path.startswith(("http://", "https://")):
        from scrapers.fetcher import Fetcher, FetchError
        from scrapers.images import image_fetcher
        from scrapers.report_page import fetch_report_at

        fetcher = Fetcher(get_settings().fetch_config())
        result = fetch_report_at(path, fetcher)
        if isinstance(result, FetchError):
            fetcher.close()
            fail(f"无法获取 {path}：{result.kind} {result.detail}")
        data, name, content_type = result.content, result.final_url, result.content_type
        fetch_image, base_url = image_fetcher(fetcher, None, referer=result.final_url), result.final_url
    else:
        file = Path(path)
        if not file.is_file():
            fail(f"文件不存在：{path}")
        data, name = file.read_bytes(), file.name
    from reports.levels import LEVELS, infer_level

    if level is not None and level not in LEVELS:
        fail(f"--level 须为 {' / '.join(LEVELS)} 之一")
    try:
        report = parse_document(
            data,
            content_type=content_type,
            filename=name,
            fetch_image=fetch_image,
            base_url=base_url,
            max_pages=get_settings().pdf_max_pages,
        )
    finally:
        if fetcher is not None:
            fetcher.close()
    seen = readability(report)
    if seen.readable:
        ctx = CheckContext(agency_kind=kind, agency_level=level or infer_level(report.agency))
        findings = run_checks(report, ctx)
    else:  # the parser got nothing: that is said once, not as the report's missing parts
        findings = [unreadable_finding(seen.reason, url=path)]
    if as_json:
        sys.stdout.write(
            json.dumps(report.to_public_json([f.to_json() for f in findings]), ensure_ascii=False, indent=2)
            + "\n"
        )
        return
    print_report(console, report)
    print_decoding(console, report)
    print_findings(console, findings)


@app.command()
def rules() -> None:
    """List every check with its id, severity, scope and description, and every alert the
    monitor itself gives (MISSING, LATE, DUE-SOON, 无法核实, 无法读取) with when it is given."""
    from rich.table import Table

    from reports.checks import ordered_rules
    from reports.checks.monitor_rules import MONITOR_RULES

    table = Table(title="检查规则")
    table.add_column("规则", no_wrap=True)
    table.add_column("级别", no_wrap=True)
    for name in ("名称", "适用范围", "说明"):
        table.add_column(name, overflow="fold")
    from nianbao.reporting.compliance import SEVERITY_LABELS

    for r in ordered_rules():
        table.add_row(
            r.id,
            SEVERITY_LABELS.get(r.severity.value, r.severity.value),
            r.title,
            r.scope_text,
            r.description,
        )
    console.print(table)
    kinds = Table(title="监测结论（截止日期与无法看到的内容）")
    kinds.add_column("规则", no_wrap=True)
    kinds.add_column("级别", no_wrap=True)
    for name in ("名称", "何时给出"):
        kinds.add_column(name, overflow="fold")
    for m in MONITOR_RULES:
        kinds.add_row(m.id, SEVERITY_LABELS.get(m.severity.value, m.severity.value), m.title, m.when)
    console.print(kinds)


@app.command()
def discover(
    url: Annotated[str, typer.Argument(help="An annual-report column (list page) URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Crawl one column URL and print the annual reports found there."""
    from rich.table import Table

    from scrapers.cli_discover import DiscoverFailed, discover_json
    from scrapers.fetcher import Fetcher

    try:
        found = discover_json(url, Fetcher(get_settings().fetch_config()))
    except DiscoverFailed as exc:
        fail(f"无法读取 {url}：{exc}")
    if as_json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"发现的年报（{len(found)}）")
    for name in ("单位", "年度", "发布日期", "来源", "链接", "附件"):
        table.add_column(name, overflow="fold")
    for r in found:
        table.add_row(
            r["agency"] or "",
            str(r["year"]),
            r["published_at"] or "",
            r["published_at_source"] or "",
            r["url"],
            "\n".join(r["attachments"]),
        )
    console.print(table)
