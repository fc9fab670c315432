"""`nianbao findings list|review|close|reopen`: the office's verdicts on findings."""

from __future__ import annotations

from typing import Annotated

import typer

from nianbao.cli.common import YearOpt, console, fail, findings_app, get_settings, prepare_db


@findings_app.command("list")
def findings_list(
    year: YearOpt = None,
    state: Annotated[
        str, typer.Option(help="open | resolved | confirmed | dismissed | closed | all")
    ] = "open",
) -> None:
    """List findings with their ids (for review)."""
    from rich.table import Table
    from sqlmodel import col, select

    from models.db import session_scope
    from models.tables import Agency, Finding

    prepare_db()
    from alerts.evidence import explain
    from alerts.rules_zh import rule_title
    from nianbao.reporting.compliance import SEVERITY_LABELS, STATE_LABELS

    table = Table(title="问题")
    table.add_column("编号", no_wrap=True)
    for name in ("单位", "年度", "级别", "检查项目", "状态", "说明"):
        table.add_column(name, overflow="fold")
    with session_scope(get_settings().db_url) as s:
        query = select(Finding, Agency).join(Agency).where(Finding.status == "fail").order_by(col(Finding.id))
        if year:
            query = query.where(Finding.year == year)
        if state != "all":
            query = query.where(Finding.state == state)
        for f, a in s.exec(query).all():
            table.add_row(
                str(f.id),
                a.name,
                str(f.year),
                SEVERITY_LABELS.get(f.severity, f.severity),
                rule_title(f.rule),
                STATE_LABELS.get(f.state, f.state),
                explain(f.rule, f.message, f.evidence, f.status).one_line(),
            )
    console.print(table)


@findings_app.command("review")
def findings_review(
    finding_id: Annotated[int, typer.Argument(help="The finding's id (nianbao findings list).")],
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (required).")],
    dismiss: Annotated[bool, typer.Option("--dismiss", help="Dismiss instead of confirm.")] = False,
) -> None:
    """Confirm (default) or dismiss a finding with a comment; later re-checks keep the verdict."""
    from models.db import session_scope
    from nianbao.store.record import review_finding

    prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            row = review_finding(s, finding_id, "dismissed" if dismiss else "confirmed", comment)
            from alerts.rules_zh import rule_title
            from nianbao.reporting.compliance import STATE_LABELS

            console.print(
                f"问题 #{row.id}（{rule_title(row.rule)}）已标记为“{STATE_LABELS.get(row.state, row.state)}”："
                f"{row.review_comment}"
            )
    except (LookupError, ValueError) as exc:
        fail(str(exc))


@findings_app.command("close")
def findings_close(
    finding_id: Annotated[int, typer.Argument(help="The finding's id (nianbao findings list).")],
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (required).")],
) -> None:
    """Close a finding by hand (dealt with, e.g. the agency explained it in writing); re-checks
    keep it closed, `reopen` undoes it. Nothing is announced."""
    from models.db import session_scope
    from nianbao.store.record import review_finding

    prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            row = review_finding(s, finding_id, "closed", comment)
            console.print(f"问题 #{row.id}（{row.rule}）已关闭：{row.review_comment}")
    except (LookupError, ValueError) as exc:
        fail(str(exc))


@findings_app.command("reopen")
def findings_reopen(
    finding_id: Annotated[int, typer.Argument(help="The finding's id (nianbao findings list).")],
    comment: Annotated[str | None, typer.Option("--comment", "-m", help="Why.")] = None,
) -> None:
    """Open a closed, dismissed, confirmed or resolved finding again."""
    from models.db import session_scope
    from nianbao.store.record import reopen_finding

    prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            row = reopen_finding(s, finding_id, comment)
            console.print(f"问题 #{row.id}（{row.rule}）已重新打开")
    except (LookupError, ValueError) as exc:
        fail(str(exc))
