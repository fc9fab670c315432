"""`nianbao report`: the compliance matrix printed and written as XLSX and HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from nianbao.cli.common import YearOpt, app, console, get_settings, prepare_db


@app.command()
def report(
    year: YearOpt = None,
    xlsx: Annotated[
        Path | None, typer.Option(help="Write the workbook here (default data/reports/).")
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write the HTML page here (default data/reports/).")
    ] = None,
) -> None:
    """Print the compliance matrix (agency × status) and write it as XLSX and HTML."""
    from rich.progress import Progress

    from models.db import session_scope
    from nianbao.deadlines.calendar import default_report_year
    from nianbao.reporting.compliance import compliance_rows, finding_lines
    from nianbao.reporting.export import draw, write_html, write_xlsx
    from nianbao.reporting.present_matrix import print_compliance
    from nianbao.store.registry import registry_settings

    prepare_db()
    year = year or default_report_year()
    out = get_settings().data_dir / "reports"
    with Progress(console=console, transient=True) as progress:
        step = progress.add_task("正在生成报告", total=5)
        now, rules = datetime.now(UTC), registry_settings()
        with session_scope(get_settings().db_url) as s:
            rows = compliance_rows(s, year, now, rules)
            progress.advance(step)
            findings = finding_lines(s, year)
            previous = compliance_rows(s, year - 1, now, rules)
        progress.advance(step)
        drawn = draw(rows, findings, year, previous)  # once for both files
        progress.advance(step)
        x = write_xlsx(rows, findings, year, xlsx or out / f"compliance-{year}.xlsx", drawn=drawn)
        progress.advance(step)
        h = write_html(rows, findings, year, html or out / f"compliance-{year}.html", drawn=drawn)
        progress.advance(step)
    print_compliance(console, rows, year)
    console.print(drawn.summary.sentence())
    console.print(f"已写入：{x}\n　　　　{h}")
