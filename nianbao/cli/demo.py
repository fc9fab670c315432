"""The demo: the bundled sample portal, the monitor flow on SQLite, alerts into a local
webhook sink, and a printed compliance table. Everything lives under data/demo/."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import yaml
from rich.console import Console

if TYPE_CHECKING:  # imported when the services start
    from alerts.sink import WebhookSink
    from replicas.sample_portal import SamplePortal

DEMO_YEAR = 2024
Server = TypeVar("Server")  # the sample portal, the webhook receiver


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


STATE_FILE = "demo.json"  # where the demo's portal and sink listened, for `nianbao serve --demo`
DEMO_ROOT = Path("data/demo")


def demo_prefect_home(root: Path = DEMO_ROOT) -> Path:
    """The demo keeps its Prefect runs next to its data, so `nianbao serve --demo` shows them."""
    return root.resolve() / "prefect"


def configure_demo_environment(root: Path, *, fresh: bool = True) -> None:
    """Point settings at data/demo (fresh each time the demo runs; as it is for `serve --demo`)
    and let the fetcher reach 127.0.0.1."""
    from flows.runtime import reset_shared_fetcher
    from nianbao.runtime.settings import get_settings

    if fresh and root.exists():
        for child in root.iterdir():  # keep prefect/: this process may already use it
            if child.name != "prefect":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    root.mkdir(parents=True, exist_ok=True)
    os.environ["NIANBAO_DATA_DIR"] = str(root)
    os.environ["NIANBAO_REGISTRY_PATH"] = str(root / "agencies.yaml")
    os.environ["NIANBAO_APPRISE_CONFIG"] = str(root / "apprise.yml")
    os.environ["NIANBAO_ALLOW_PRIVATE_HOSTS"] = "true"  # the sample portal is on loopback
    os.environ["NIANBAO_PER_HOST_DELAY"] = "0"
    get_settings.cache_clear()
    reset_shared_fetcher()


def run_demo(console: Console, *, keep_running: bool = False, root: Path = Path("data/demo")) -> dict:
    from sqlmodel import select

    from alerts.sink import start_webhook_sink
    from flows.monitor import monitor
    from models.db import migrate, session_scope
    from models.tables import Agency, Finding
    from nianbao.reporting.compliance import compliance_rows
    from nianbao.reporting.present_matrix import print_compliance
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry
    from replicas.sample_portal import start_sample_portal

    configure_demo_environment(root.resolve())
    settings = get_settings()
    portal = start_sample_portal(port=0)
    sink = start_webhook_sink(port=0, store=root / "alerts-received.jsonl")
    (root / STATE_FILE).write_text(
        json.dumps({"portal_port": portal.port, "sink_port": sink.port, "year": DEMO_YEAR}), encoding="utf-8"
    )
    try:
        console.print(f"示例门户：{portal.base_url}　提醒接收端：{sink.http_url}")
        write_demo_files(root, portal.base_url, sink.url)
        migrate(settings.db_url)
        with session_scope(settings.db_url) as s:
            sync_registry(s, load_registry(settings.registry_path))
        started = time.monotonic()
        result = monitor(year=DEMO_YEAR)
        from nianbao.reporting.present_matrix import delivery_sentence, stats_sentence

        console.print(
            f"巡检完成，用时 {time.monotonic() - started:.1f} 秒。{stats_sentence(result['stats'])}"
        )
        console.print(delivery_sentence(result["delivery"]))
        from datetime import UTC, datetime

        from nianbao.store.registry import registry_settings

        with session_scope(settings.db_url) as s:
            rows = compliance_rows(s, DEMO_YEAR, datetime.now(UTC), registry_settings())
            print_compliance(console, rows, DEMO_YEAR)
            console.print("\n[bold]发现的问题[/bold]")
            from alerts.evidence import explain
            from alerts.rules_zh import SEVERITY_ZH, rule_title

            for finding, agency in s.exec(
                select(Finding, Agency).join(Agency).where(Finding.status == "fail").order_by(Agency.code)
            ).all():
                x = explain(finding.rule, finding.message, finding.evidence, finding.status)
                sev = SEVERITY_ZH.get(finding.severity, finding.severity)
                console.print(f"  {agency.name}［{sev}］{rule_title(finding.rule)}：{x.text}")
        received = sink.messages
        console.print(
            f"\n[bold]提醒接收端收到 {len(received)} 条消息[/bold]（{root / 'alerts-received.jsonl'}）："
        )
        for message in received:
            console.print(f"  ── {message.get('title', '')}")
            console.print(
                "     " + str(message.get("message") or message.get("body", "")).replace("\n", "\n     ")
            )
        console.print(
            "\n下一步：执行 [bold].venv/bin/nianbao serve --demo[/bold]，打开 http://127.0.0.1:4200/runs "
            "查看本次运行；在 Deployments → recrawl-agency/manual → Run → Custom run 中填 agency = "
            "zhanhe-yingji，即可在界面中重新抓取一个单位（示例门户随之启动）。"
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


def write_demo_files(root: Path, portal_url: str, sink_url: str) -> None:
    """The registry pointing at the sample portal and the apprise config pointing at the sink,
    with the recipients' display names (「平顶山市湛河区政务公开办」)."""
    from alerts.config import write_demo_config
    from replicas.sample_portal import SAMPLE_AGENCIES

    (root / "agencies.yaml").write_text(
        yaml.safe_dump(demo_registry(SAMPLE_AGENCIES, portal_url), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    names = {a["district_code"]: f"{a['district_name']}政务公开办" for a in SAMPLE_AGENCIES}
    write_demo_config(root / "apprise.yml", sink_url, districts=tuple(names), names=names)


class DemoNotRun(RuntimeError):
    """`serve --demo` before the demo: nothing to show."""


def start_demo_services(root: Path = DEMO_ROOT) -> tuple[SamplePortal, WebhookSink]:
    """For `nianbao serve --demo`: the demo's settings (its database, registry and alert config,
    kept), and its sample portal and webhook sink on the ports the demo used, so the stored
    reports' addresses still answer and a recrawl from the UI finds them. A port taken since
    is replaced by a free one and the registry re-synced to it."""
    from alerts.sink import start_webhook_sink
    from models.db import migrate, session_scope
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry
    from replicas.sample_portal import start_sample_portal

    root = root.resolve()
    state_path = root / STATE_FILE
    if not state_path.exists():
        raise DemoNotRun(f"没有找到示例数据（{state_path}）：请先运行 bash scripts/demo.sh")
    state = json.loads(state_path.read_text(encoding="utf-8"))
    configure_demo_environment(root, fresh=False)

    def started(start: Callable[..., Server], port: int) -> Server:
        try:
            return start(port=port)
        except OSError:
            return start(port=0)

    portal = started(start_sample_portal, int(state["portal_port"]))
    sink = started(
        lambda port: start_webhook_sink(port=port, store=root / "alerts-received.jsonl"),
        int(state["sink_port"]),
    )
    if portal.port != state["portal_port"] or sink.port != state["sink_port"]:
        write_demo_files(root, portal.base_url, sink.url)
        state.update(portal_port=portal.port, sink_port=sink.port)
        state_path.write_text(json.dumps(state), encoding="utf-8")
        settings = get_settings()
        migrate(settings.db_url)
        with session_scope(settings.db_url) as s:
            sync_registry(s, load_registry(settings.registry_path))
    return portal, sink


def read_sink(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
