"""`nianbao run` and `recrawl`: a monitoring cycle or one agency now, in this process, and what
it found in the office's words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from nianbao.cli.common import (
    YearOpt,
    app,
    console,
    fail,
    flow_progress,
    get_settings,
    preflight_or_fail,
    prepare_db,
    spinner,
    sync_file,
)


@app.command()
def run(
    year: YearOpt = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Only this jurisdiction code.")] = None,
) -> None:
    """One monitoring cycle now: sync the registry, crawl, parse, check, record, alert."""
    from flows.monitor import monitor

    preflight_or_fail()
    with spinner("正在同步登记册…"):
        sync_file()
    with flow_progress("巡检"):
        result = monitor(jurisdiction=jurisdiction, year=year)
    print_cycle(result, year)


@app.command()
def recrawl(
    agency: Annotated[str, typer.Argument(help="Agency code, id or name.")],
    year: YearOpt = None,
) -> None:
    """Recrawl one agency now and show its result."""
    from flows.monitor import recrawl_agency
    from nianbao.crawl.lookup import AgencyNotFound, agency_code

    preflight_or_fail()
    prepare_db()
    try:
        code = agency_code(get_settings(), agency)
    except AgencyNotFound as exc:
        fail(str(exc))
    with flow_progress("重新抓取"):
        result = recrawl_agency(agency=code, year=year)  # resolved above: the flow finds it by code at once
    if not isinstance(result, dict):  # a Failed state: the agency went between the lookup and the run
        fail(str(result.message))
    print_cycle(result, year, each_agency=True, only=[code])


def print_cycle(
    result: dict, year: int | None, *, each_agency: bool = False, only: list[str] | None = None
) -> None:
    from models.db import session_scope
    from nianbao.deadlines.calendar import default_report_year
    from nianbao.reporting.compliance import compliance_rows
    from nianbao.reporting.present_matrix import (
        delivery_sentence,
        outcome_problem_line,
        print_compliance,
        stats_sentence,
    )
    from nianbao.store.registry import registry_settings

    names = agency_names()
    for o in result["outcomes"]:
        name = names.get(o["agency"], o["agency"])
        if o["outcome"] != "ok":
            console.print(outcome_problem_line(name, o))
        elif each_agency:
            console.print(agency_outcome_line({**o, "agency": name}))
    year = year or default_report_year()
    with session_scope(get_settings().db_url) as s:
        rows = compliance_rows(s, year, datetime.now(UTC), registry_settings(), only)
    print_compliance(console, rows, year)
    console.print(stats_sentence(result["stats"]))
    console.print(delivery_sentence(result["delivery"]))


def agency_names() -> dict[str, str]:
    from sqlmodel import select

    from models.db import session_scope
    from models.tables import Agency

    with session_scope(get_settings().db_url) as s:
        return {code: name for code, name in s.exec(select(Agency.code, Agency.name)).all()}


def agency_outcome_line(o: dict) -> str:
    """What one agency's crawl found, in the office's words (a recrawl answers exactly this)."""
    return (
        f"{o['agency']}：找到年报{o['reports_found']}份，其中新版本{o['new_versions']}份、"
        f"未变化{o['unchanged']}份；新发现问题{o['new_findings']}条，已整改{o['resolved_findings']}条"
    )
