"""`nianbao agencies sync|list`: the registry file into the database, and what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nianbao.cli.common import agencies_app, console, fail, get_settings, prepare_db, spinner, sync_file

KIND_LABELS = {"department": "部门", "town": "乡镇", "street": "街道", "government": "人民政府"}


@agencies_app.command("sync")
def agencies_sync(
    path: Annotated[Path | None, typer.Option(help="Registry YAML (default: NIANBAO_REGISTRY_PATH).")] = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Only validate the file; write nothing to the database.")
    ] = False,
) -> None:
    """Load the registry file into the database (with --check: only say whether it is valid)."""
    from nianbao.store.registry import RegistryError, load_registry

    if check_only:
        file = path or get_settings().registry_path
        try:
            registry = load_registry(file)
        except RegistryError as exc:
            fail(str(exc))
        agencies = sum(len(j.agencies) for j in registry.jurisdictions)
        console.print(
            f"登记表 {file} 有效：{len(registry.jurisdictions)} 个辖区，{agencies} 个单位（未写入数据库）"
        )
        return
    with spinner("正在同步登记册…"):
        counts = sync_file(path)
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
    from sqlmodel import select

    from models.db import session_scope
    from models.tables import Agency, Jurisdiction

    prepare_db()
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
