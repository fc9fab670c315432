"""`nianbao alerts list|show|test`: the outbox, one alert's receipts, a test message per channel."""

from __future__ import annotations

from typing import Annotated

import typer

from nianbao.cli.common import alerts_app, console, fail, get_settings, prepare_db, spinner

ALERT_STATE_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}


@alerts_app.command("list")
def alerts_list() -> None:
    """Show pending and failed alerts."""
    from rich.table import Table

    from alerts.outbox import list_alerts
    from models.db import session_scope

    prepare_db()
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
    from models.db import session_scope
    from models.tables import Alert

    prepare_db()
    settings = get_settings()
    path = settings.apprise_config
    cfg = load_config(path) if path is not None and path.exists() else None
    with session_scope(settings.db_url) as s:
        alert = s.get(Alert, alert_id)
        if alert is None:
            fail(f"没有编号为 #{alert_id} 的告警")
        from alerts.kinds import kind_title
        from alerts.localtime import zh_datetime

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
        fail("未配置提醒渠道：请设置 NIANBAO_APPRISE_CONFIG 指向 apprise YAML 配置文件（见 docs/alerts.md）")
    try:
        with spinner("正在发送测试消息…"):
            report = send_test_message(cfg, tag=tag)
    except ConfigError as exc:
        fail(f"提醒渠道配置有误：{exc}")
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
