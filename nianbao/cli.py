"""The `nianbao` command line. Each command delegates to the domain modules."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import typer
from rich.console import Console
from sqlmodel import select

from models.db import migrate, session_scope
from models.tables import Agency, Jurisdiction
from nianbao.registry import RegistryError, load_registry, sync_registry
from nianbao.settings import get_settings

app = typer.Typer(
    help="nianbao-monitor: 政府信息公开工作年度报告合规监测",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
agencies_app = typer.Typer(help="The agency registry (agencies.yaml).", no_args_is_help=True)
alerts_app = typer.Typer(help="Alert delivery through apprise.", no_args_is_help=True)
findings_app = typer.Typer(
    help="Findings: list them; confirm, dismiss, close or reopen them.", no_args_is_help=True
)
app.add_typer(agencies_app, name="agencies")
app.add_typer(findings_app, name="findings")
app.add_typer(alerts_app, name="alerts")
console = Console()
KIND_LABELS = {"department": "部门", "town": "乡镇", "street": "街道", "government": "人民政府"}
ALERT_STATE_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}


@app.callback()
def _process_setup() -> None:
    """Before any command: flat memory for this process and the flow runs it starts, and the
    settings checked (a wrong value is said now, in one sentence per mistake)."""
    from nianbao.memory import limit_malloc_arenas
    from nianbao.settings import SettingsError

    limit_malloc_arenas()
    try:
        get_settings()
    except SettingsError as exc:
        _fail(str(exc))


YearOpt = Annotated[
    int | None, typer.Option("--year", "-y", help="Report year (default: last calendar year).")
]


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]错误[/bold red] {message}")
    raise typer.Exit(code)


def _prepare_db() -> None:
    from nianbao.preflight import database_problem

    problem = database_problem(get_settings().db_url)
    if problem:
        _fail(problem)
    migrate(get_settings().db_url)


def _preflight() -> None:
    """Database and alert config, before a run crawls anything."""
    from nianbao.preflight import PreflightError, preflight

    try:
        preflight(get_settings())
    except PreflightError as exc:
        _fail(str(exc))


def _sync(path: Path | None = None) -> dict[str, int]:
    settings = get_settings()
    try:
        registry = load_registry(path or settings.registry_path)
    except RegistryError as exc:
        _fail(str(exc))
    _prepare_db()
    with session_scope(settings.db_url) as s:
        return sync_registry(s, registry)


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
    from nianbao.present import print_decoding, print_findings, print_report
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
            _fail(f"无法获取 {path}：{result.kind} {result.detail}")
        data, name, content_type = result.content, result.final_url, result.content_type
        fetch_image, base_url = image_fetcher(fetcher, None, referer=result.final_url), result.final_url
    else:
        file = Path(path)
        if not file.is_file():
            _fail(f"文件不存在：{path}")
        data, name = file.read_bytes(), file.name
    from reports.levels import LEVELS, infer_level

    if level is not None and level not in LEVELS:
        _fail(f"--level 须为 {' / '.join(LEVELS)} 之一")
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
    from nianbao.compliance import SEVERITY_LABELS

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


@agencies_app.command("sync")
def agencies_sync(
    path: Annotated[Path | None, typer.Option(help="Registry YAML (default: NIANBAO_REGISTRY_PATH).")] = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Only validate the file; write nothing to the database.")
    ] = False,
) -> None:
    """Load the registry file into the database (with --check: only say whether it is valid)."""
    if check_only:
        file = path or get_settings().registry_path
        try:
            registry = load_registry(file)
        except RegistryError as exc:
            _fail(str(exc))
        agencies = sum(len(j.agencies) for j in registry.jurisdictions)
        console.print(
            f"登记表 {file} 有效：{len(registry.jurisdictions)} 个辖区，{agencies} 个单位（未写入数据库）"
        )
        return
    with _spinner("正在同步登记册…"):
        counts = _sync(path)
    console.print(sync_sentence(counts))


def sync_sentence(counts: dict[str, int]) -> str:
    """「已同步登记册：3 个区县；新增 7 个单位，更新 0 个，停用 0 个」."""
    return (
        f"已同步登记册：{counts.get('jurisdictions', 0)} 个区县；新增 {counts.get('agencies_added', 0)} 个单位，"
        f"更新 {counts.get('agencies_updated', 0)} 个，停用 {counts.get('agencies_deactivated', 0)} 个"
    )


@agencies_app.command("list")
def agencies_list() -> None:
    """Show the agencies in the database."""
    from rich.table import Table

    _prepare_db()
    table = Table(title="登记单位")
    table.add_column("代码", no_wrap=True)  # the office types it: never cut or folded
    for name in ("名称", "类别", "区县", "栏目地址", "状态"):
        table.add_column(name, overflow="fold")
    with session_scope(get_settings().db_url) as s:
        for agency, jur in s.exec(
            select(Agency, Jurisdiction).join(Jurisdiction).order_by(Agency.code)
        ).all():
            table.add_row(
                agency.code,
                agency.name,
                KIND_LABELS.get(agency.kind, agency.kind),
                jur.name,
                "\n".join(agency.entry_urls),
                "启用" if agency.active else "停用",
            )
    console.print(table)


@app.command()
def run(
    year: YearOpt = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Only this jurisdiction code.")] = None,
) -> None:
    """One monitoring cycle now: sync the registry, crawl, parse, check, record, alert."""
    from flows.monitor import monitor

    _preflight()
    with _spinner("正在同步登记册…"):
        _sync()
    with _flow_progress("巡检"):
        result = monitor(jurisdiction=jurisdiction, year=year)
    _print_cycle(result, year)


@app.command()
def recrawl(
    agency: Annotated[str, typer.Argument(help="Agency code, id or name.")],
    year: YearOpt = None,
) -> None:
    """Recrawl one agency now and show its result."""
    from flows.monitor import recrawl_agency
    from nianbao.pipeline import AgencyNotFound, resolve_agency

    _preflight()
    _prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            code = resolve_agency(s, agency).code
    except AgencyNotFound as exc:
        _fail(str(exc))
    with _flow_progress("重新抓取"):
        result = recrawl_agency(agency=agency, year=year)
    _print_cycle(result, year, each_agency=True, only=[code])


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

    from flows.runtime import default_report_year, registry_settings
    from nianbao.compliance import compliance_rows, finding_lines
    from nianbao.export import report_summary, write_html, write_xlsx
    from nianbao.present import compliance_table

    _prepare_db()
    year = year or default_report_year()
    out = get_settings().data_dir / "reports"
    with Progress(console=console, transient=True) as progress:
        step = progress.add_task("正在生成报告", total=4)
        with session_scope(get_settings().db_url) as s:
            rows = compliance_rows(s, year, datetime.now(UTC), registry_settings())
            progress.advance(step)
            findings = finding_lines(s, year)
            previous = compliance_rows(s, year - 1, datetime.now(UTC), registry_settings())
        progress.advance(step)
        x = write_xlsx(rows, findings, year, xlsx or out / f"compliance-{year}.xlsx", previous=previous)
        progress.advance(step)
        h = write_html(rows, findings, year, html or out / f"compliance-{year}.html", previous=previous)
        progress.advance(step)
    console.print(compliance_table(rows, year))
    console.print(report_summary(rows, findings).sentence())
    console.print(f"已写入：{x}\n　　　　{h}")


def _print_cycle(
    result: dict, year: int | None, *, each_agency: bool = False, only: list[str] | None = None
) -> None:
    from flows.runtime import default_report_year, registry_settings
    from nianbao.compliance import compliance_rows
    from nianbao.present import delivery_sentence, outcome_problem_line, print_compliance, stats_sentence

    names = _agency_names()
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


def _agency_names() -> dict[str, str]:
    with session_scope(get_settings().db_url) as s:
        return {code: name for code, name in s.exec(select(Agency.code, Agency.name)).all()}


@contextmanager
def _spinner(text: str) -> Iterator[None]:
    with console.status(text):
        yield


@contextmanager
def _flow_progress(what: str) -> Iterator[None]:
    """A progress bar over the agencies of a flow this process runs (flows/artifacts.py tells)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.artifacts import PROGRESS_LISTENERS

    with Progress(
        TextColumn(f"{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("个单位"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(what, total=None)

        def listener(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        PROGRESS_LISTENERS.append(listener)
        try:
            yield
        finally:
            PROGRESS_LISTENERS.remove(listener)


def agency_outcome_line(o: dict) -> str:
    """What one agency's crawl found, in the office's words (a recrawl answers exactly this)."""
    return (
        f"{o['agency']}：找到年报{o['reports_found']}份，其中新版本{o['new_versions']}份、"
        f"未变化{o['unchanged']}份；新发现问题{o['new_findings']}条，已整改{o['resolved_findings']}条"
    )


@alerts_app.command("list")
def alerts_list() -> None:
    """Show pending and failed alerts."""
    from rich.table import Table

    from alerts.outbox import list_alerts

    _prepare_db()
    from alerts.kinds import kind_title

    table = Table(title="待发送和发送失败的提醒")
    table.add_column("编号", no_wrap=True)
    for name in ("类型", "状态", "已尝试", "标题", "最后一次错误"):
        table.add_column(name, overflow="fold")
    with session_scope(get_settings().db_url) as s:
        alerts = list_alerts(s)
        for a in alerts:
            table.add_row(
                f"#{a.id}",
                kind_title(a.kind),
                ALERT_STATE_LABELS.get(a.state, a.state),
                f"{a.attempts} 次",
                a.subject,
                a.last_error or "",
            )
    if not alerts:
        console.print("没有待发送或发送失败的提醒。")
        return
    console.print(table)


@alerts_app.command("show")
def alerts_show(alert_id: Annotated[int, typer.Argument(help="The alert number (提醒编号).")]) -> None:
    """Show one alert: its state, and which recipients received it and when."""
    from alerts.audit import delivery_status
    from alerts.config import load_config
    from models.tables import Alert

    _prepare_db()
    settings = get_settings()
    path = settings.apprise_config
    cfg = load_config(path) if path is not None and path.exists() else None
    with session_scope(settings.db_url) as s:
        alert = s.get(Alert, alert_id)
        if alert is None:
            _fail(f"没有编号为 #{alert_id} 的告警")
        from alerts.kinds import kind_title
        from nianbao.localtime import zh_datetime

        console.print(f"[bold]提醒编号 #{alert.id}[/bold]　{alert.subject}")
        console.print(
            f"类型：{kind_title(alert.kind)}　状态：{ALERT_STATE_LABELS.get(alert.state, alert.state)}"
            f"　已尝试：{alert.attempts} 次"
        )
        if alert.last_error:
            console.print(f"最后一次错误：{alert.last_error}")
        console.print(alert.body)
        if cfg is None:
            console.print("（未配置提醒渠道：只列出已收到的接收方编号）")
        for r in delivery_status(s, alert, cfg):
            when = zh_datetime(r.sent_at) if r.sent_at else "未收到"
            console.print(f"  {when}　{r.name + '（' + r.label + '）' if r.name else r.label}")


@alerts_app.command("test")
def alerts_test(tag: Annotated[str | None, typer.Option(help="Only this tag.")] = None) -> None:
    """Send a test message to each configured tag."""
    from rich.table import Table

    from alerts.config import ConfigError
    from alerts.deliver import send_test_message

    cfg = get_settings().apprise_config
    if cfg is None or not cfg.exists():
        _fail("未配置提醒渠道：请设置 NIANBAO_APPRISE_CONFIG 指向 apprise YAML 配置文件（见 docs/alerts.md）")
    try:
        with _spinner("正在发送测试消息…"):
            report = send_test_message(cfg, tag=tag)
    except ConfigError as exc:
        _fail(f"提醒渠道配置有误：{exc}")
    table = Table(title="提醒通道测试")
    for name in ("接收方", "地址（已隐去密钥）", "结果"):
        table.add_column(name, overflow="fold")
    for r in report.results:
        table.add_row(r.name, r.url, "[green]已发送[/green]" if r.ok else f"[red]发送失败[/red]：{r.error}")
    if report.results:
        console.print(table)
    for t in report.missing_tags:
        console.print(f"[red]配置中没有标签为“{t}”的接收方[/red]")
    ok = sum(r.ok for r in report.results)
    console.print(f"共 {len(report.results)} 个接收方，{ok} 个发送成功。")
    if not report.ok:
        raise typer.Exit(1)


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
        _fail(f"无法读取 {url}：{exc}")
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


@findings_app.command("list")
def findings_list(
    year: YearOpt = None,
    state: Annotated[
        str, typer.Option(help="open | resolved | confirmed | dismissed | closed | all")
    ] = "open",
) -> None:
    """List findings with their ids (for review)."""
    from rich.table import Table

    from models.tables import Finding

    _prepare_db()
    from alerts.evidence import explain
    from alerts.rules_zh import rule_title
    from nianbao.compliance import SEVERITY_LABELS, STATE_LABELS

    table = Table(title="问题")
    table.add_column("编号", no_wrap=True)
    for name in ("单位", "年度", "级别", "检查项目", "状态", "说明"):
        table.add_column(name, overflow="fold")
    with session_scope(get_settings().db_url) as s:
        query = select(Finding, Agency).join(Agency).where(Finding.status == "fail").order_by(Finding.id)
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
    from nianbao.record import review_finding

    _prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            row = review_finding(s, finding_id, "dismissed" if dismiss else "confirmed", comment)
            from alerts.rules_zh import rule_title
            from nianbao.compliance import STATE_LABELS

            console.print(
                f"问题 #{row.id}（{rule_title(row.rule)}）已标记为“{STATE_LABELS.get(row.state, row.state)}”："
                f"{row.review_comment}"
            )
    except (LookupError, ValueError) as exc:
        _fail(str(exc))


@findings_app.command("close")
def findings_close(
    finding_id: Annotated[int, typer.Argument(help="The finding's id (nianbao findings list).")],
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (required).")],
) -> None:
    """Close a finding by hand (dealt with, e.g. the agency explained it in writing); re-checks
    keep it closed, `reopen` undoes it. Nothing is announced."""
    from nianbao.record import review_finding

    _prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            row = review_finding(s, finding_id, "closed", comment)
            console.print(f"问题 #{row.id}（{row.rule}）已关闭：{row.review_comment}")
    except (LookupError, ValueError) as exc:
        _fail(str(exc))


@findings_app.command("reopen")
def findings_reopen(
    finding_id: Annotated[int, typer.Argument(help="The finding's id (nianbao findings list).")],
    comment: Annotated[str | None, typer.Option("--comment", "-m", help="Why.")] = None,
) -> None:
    """Open a closed, dismissed, confirmed or resolved finding again."""
    from nianbao.record import reopen_finding

    _prepare_db()
    try:
        with session_scope(get_settings().db_url) as s:
            row = reopen_finding(s, finding_id, comment)
            console.print(f"问题 #{row.id}（{row.rule}）已重新打开")
    except (LookupError, ValueError) as exc:
        _fail(str(exc))


@app.command()
def serve(
    port: Annotated[
        int, typer.Option(help="Port of the local Prefect server (when none is configured).")
    ] = 4200,
    demo_data: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve on the demo's data (data/demo: its database, runs, sample portal and alert sink).",
        ),
    ] = False,
) -> None:
    """Serve all deployments on their schedules; start a local Prefect server if none is configured."""
    from flows.server import ensure_server

    services: tuple = ()
    if demo_data:
        from nianbao.demo import DemoNotRun, demo_prefect_home, start_demo_services

        if not os.environ.get("PREFECT_API_URL"):
            os.environ.setdefault("PREFECT_HOME", str(demo_prefect_home()))
        try:
            services = start_demo_services()
        except DemoNotRun as exc:
            _fail(str(exc))
        console.print(f"示例门户：{services[0].base_url}　提醒接收端：{services[1].http_url}")
    _prepare_db()
    try:
        server = ensure_server(port, log_path=get_settings().data_dir / "prefect-server.log")
        console.print(f"Prefect 界面：{server.ui_url}　（API {server.api_url}）")
        console.print(
            "手动重新抓取：在界面中打开 Deployments → recrawl-agency/manual → Run → Custom run，"
            "填写 agency（单位代码，如 zhanhe-yingji）；或在命令行执行 nianbao recrawl 单位代码"
        )
        try:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            from flows.serve import serve_all

            # prefect may have been imported before the server's address was known (--demo)
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                serve_all()
        finally:
            server.stop()
    finally:
        for service in services:
            service.stop()


@app.command()
def demo(
    keep_running: Annotated[bool, typer.Option(help="Keep the sample portal up afterwards.")] = False,
) -> None:
    """Run the whole job on the bundled sample portal: crawl, check, record, alert, print."""
    from nianbao.demo import demo_prefect_home

    if not os.environ.get("PREFECT_API_URL"):  # its runs stay with its data, for `serve --demo`
        demo_prefect_home().mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(demo_prefect_home()))
    from nianbao.demo import run_demo

    run_demo(console, keep_running=keep_running)


if __name__ == "__main__":
    app()
