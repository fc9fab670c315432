"""The demo: the bundled sample portal, the monitor flow on SQLite, alerts into a local
webhook sink, and a printed compliance table. Everything lives under data/demo/."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import yaml
from rich.console import Console
from sqlmodel import select

DEMO_YEAR = 2024


def demo_registry(agencies: list[dict], base_url: str) -> dict:
    """A registry for the sample portal, grouped by district, pointing at where it runs now."""
    host = base_url.split("://", 1)[1].split("/", 1)[0]
    districts: dict[str, dict] = {}
    for a in agencies:
        d = districts.setdefault(
            a["district_code"], {"code": a["district_code"], "name": a["district_name"], "agencies": []}
        )
        d["agencies"].append(
            {
                "code": a["code"],
                "name": a["name"],
                "short_names": list(a.get("short_names", [])),
                "kind": a.get("kind", "department"),
                "entry_urls": [base_url.rstrip("/") + a["entry_path"]],
                "allowed_hosts": [host, *a.get("extra_hosts", [])],
            }
        )
    return {
        "settings": {"deadline_inclusive": True, "due_soon_days": 14},
        "jurisdictions": list(districts.values()),
    }


def configure_demo_environment(root: Path) -> None:
    """Point settings at data/demo (fresh each time) and let the fetcher reach 127.0.0.1."""
    from flows.runtime import reset_shared_fetcher
    from nianbao.settings import get_settings

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    os.environ["NIANBAO_DATA_DIR"] = str(root)
    os.environ["NIANBAO_REGISTRY_PATH"] = str(root / "agencies.yaml")
    os.environ["NIANBAO_APPRISE_CONFIG"] = str(root / "apprise.yml")
    os.environ["NIANBAO_ALLOW_PRIVATE_HOSTS"] = "true"  # the sample portal is on loopback
    os.environ["NIANBAO_PER_HOST_DELAY"] = "0"
    get_settings.cache_clear()
    reset_shared_fetcher()


def run_demo(console: Console, *, keep_running: bool = False, root: Path = Path("data/demo")) -> dict:
    from alerts.config import write_demo_config
    from alerts.sink import start_webhook_sink
    from flows.monitor import monitor
    from models.db import migrate, session_scope
    from models.tables import Agency, Finding
    from nianbao.compliance import compliance_rows
    from nianbao.present import print_compliance
    from nianbao.registry import load_registry, sync_registry
    from nianbao.settings import get_settings
    from replicas.sample_portal import SAMPLE_AGENCIES, start_sample_portal

    configure_demo_environment(root.resolve())
    settings = get_settings()
    portal = start_sample_portal(port=0)
    sink = start_webhook_sink(port=0, store=root / "alerts-received.jsonl")
    try:
        console.print(f"示例门户：{portal.base_url}　告警接收端：{sink.url}")
        (root / "agencies.yaml").write_text(
            yaml.safe_dump(
                demo_registry(SAMPLE_AGENCIES, portal.base_url), allow_unicode=True, sort_keys=False
            ),
            encoding="utf-8",
        )
        districts = tuple(dict.fromkeys(a["district_code"] for a in SAMPLE_AGENCIES))
        write_demo_config(root / "apprise.yml", sink.url, districts=districts)
        migrate(settings.db_url)
        with session_scope(settings.db_url) as s:
            sync_registry(s, load_registry(settings.registry_path))
        started = time.monotonic()
        result = monitor(year=DEMO_YEAR)
        console.print(f"巡检完成，用时 {time.monotonic() - started:.1f} 秒：{result['stats']}")
        from datetime import UTC, datetime

        from flows.runtime import registry_settings

        with session_scope(settings.db_url) as s:
            rows = compliance_rows(s, DEMO_YEAR, datetime.now(UTC), registry_settings())
            print_compliance(console, rows, DEMO_YEAR)
            console.print("\n[bold]发现的问题[/bold]")
            for finding, agency in s.exec(
                select(Finding, Agency).join(Agency).where(Finding.status == "fail").order_by(Agency.code)
            ).all():
                console.print(f"  {agency.name} [{finding.severity}] {finding.rule}：{finding.message}")
        received = sink.messages
        console.print(
            f"\n[bold]告警接收端收到 {len(received)} 条消息[/bold]（{root / 'alerts-received.jsonl'}）："
        )
        for message in received:
            console.print(f"  ── {message.get('title', '')}")
            console.print(
                "     " + str(message.get("message") or message.get("body", "")).replace("\n", "\n     ")
            )
        console.print(
            "\n在 Prefect 界面查看本次运行：另开终端执行 [bold]nianbao serve[/bold]（或 "
            "[bold]prefect server start[/bold]），然后打开 http://127.0.0.1:4200/runs"
        )
        if keep_running:
            console.print("示例门户保持运行，按 Ctrl-C 结束。")
            while True:
                time.sleep(3600)
        return {"result": result, "rows": rows, "received": received, "portal": portal.base_url}
    finally:
        from flows.runtime import reset_shared_fetcher

        reset_shared_fetcher()
        portal.stop()
        sink.stop()


def read_sink(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
