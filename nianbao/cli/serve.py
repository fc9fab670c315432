"""`nianbao serve` and `demo`: the deployments on their schedules (with a local Prefect server
when none is configured), and the whole job on the bundled sample portal."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from nianbao.cli.common import app, console, fail, get_settings, prepare_db


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
        from nianbao.cli.demo import DemoNotRun, demo_prefect_home, start_demo_services

        if not os.environ.get("PREFECT_API_URL"):
            os.environ.setdefault("PREFECT_HOME", str(demo_prefect_home()))
        try:
            services = start_demo_services()
        except DemoNotRun as exc:
            fail(str(exc))
        console.print(f"示例门户：{services[0].base_url}　提醒接收端：{services[1].http_url}")
    prepare_db()
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
    from nianbao.cli.demo import demo_prefect_home

    if not os.environ.get("PREFECT_API_URL"):  # its runs stay with its data, for `serve --demo`
        demo_prefect_home().mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(demo_prefect_home()))
    from nianbao.cli.demo import run_demo

    run_demo(console, keep_running=keep_running)
