"""The `nianbao` Typer application and what every sub-command shares: the console, the
settings check before any command, one-sentence failures, database preparation, the preflight,
the registry sync and the progress displays. The commands live in the sibling modules."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# `nianbao run`, `recrawl` and `demo` without a configured server start Prefect's temporary one;
# its 20 s default start-up budget was exceeded on a busy 2-core machine (the demo then failed
# before crawling anything), so a slow machine gets 120 s.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

import typer
from rich.console import Console

if TYPE_CHECKING:
    from nianbao.runtime.settings import Settings


def get_settings() -> Settings:
    """The settings, imported when a command first asks: pydantic-settings costs a few hundred
    ms to import, and `nianbao --help` needs none of it."""
    from nianbao.runtime.settings import get_settings as settings

    return settings()


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


@app.callback()
def _process_setup() -> None:
    """Before any command: flat memory for this process and the flow runs it starts, and the
    settings checked (a wrong value is said now, in one sentence per mistake)."""
    from nianbao.runtime.memory import limit_malloc_arenas
    from nianbao.runtime.settings import SettingsError

    limit_malloc_arenas()
    try:
        get_settings()
    except SettingsError as exc:
        fail(str(exc))


YearOpt = Annotated[
    int | None, typer.Option("--year", "-y", help="Report year (default: last calendar year).")
]


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]错误[/bold red] {message}")
    raise typer.Exit(code)


def prepare_db() -> None:
    from models.db import migrate
    from nianbao.runtime.preflight import database_problem

    problem = database_problem(get_settings().db_url)
    if problem:
        fail(problem)
    migrate(get_settings().db_url)


def preflight_or_fail() -> None:
    """Database and alert config, before a run crawls anything."""
    from nianbao.runtime.preflight import PreflightError, preflight

    try:
        preflight(get_settings())
    except PreflightError as exc:
        fail(str(exc))


def sync_file(path: Path | None = None) -> dict[str, int]:
    from models.db import session_scope
    from nianbao.store.registry import RegistryError, load_registry, sync_registry

    settings = get_settings()
    try:
        registry = load_registry(path or settings.registry_path)
    except RegistryError as exc:
        fail(str(exc))
    prepare_db()
    with session_scope(settings.db_url) as s:
        return sync_registry(s, registry)


@contextmanager
def spinner(text: str) -> Iterator[None]:
    with console.status(text):
        yield


@contextmanager
def flow_progress(what: str) -> Iterator[None]:
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
