"""What a run checks before it crawls anything: the database answers and the alert config
loads. Either failing used to surface as a raw traceback, the alert config only after the
whole crawl; now the run stops at once with one sentence each."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nianbao.runtime.settings import Settings

log = logging.getLogger("nianbao.runtime.preflight")


class PreflightError(RuntimeError):
    """A run cannot start; the message is one sentence per problem, in Chinese."""


def database_problem(url: str, timeout_s: int = 5) -> str | None:
    """Why the database at `url` cannot be used now, or None."""
    safe = make_url(url).render_as_string(hide_password=True)
    if url.startswith("sqlite"):
        from models.db import get_engine

        engine, own = get_engine(url), False  # creates the file's directory, as a run would
    else:  # a short connect timeout: a host that drops packets must not hang the check
        engine, own = create_engine(url, connect_args={"connect_timeout": timeout_s}), True
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        return f"无法连接数据库 {safe}（{reason}），请检查 NIANBAO_DATABASE_URL 和数据库服务是否已启动。"
    finally:
        if own:
            engine.dispose()
    return None


def alert_config_problem(settings: Settings) -> str | None:
    """Why the apprise config cannot be used, or None. None also when none is set or the file is
    not there (yet): alerts then stay pending, and the run says so when it delivers."""
    path = settings.apprise_config
    if path is None or not path.exists():
        if path is not None:
            log.warning("alert config %s does not exist: alerts stay pending", path)
        return None
    from alerts.config import ConfigError, load_config

    try:
        load_config(path)
    except ConfigError as exc:
        return f"告警配置 {path} 无法使用：{exc}。"
    return None


def preflight(settings: Settings, *, alerts: bool = True) -> None:
    """Raise `PreflightError` naming every problem; nothing is crawled before this passes."""
    problems = [
        p
        for p in (database_problem(settings.db_url), alert_config_problem(settings) if alerts else None)
        if p
    ]
    if problems:
        raise PreflightError(" ".join(problems))
