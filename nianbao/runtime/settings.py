"""Settings from the environment (prefix NIANBAO_) and an optional .env file, checked when
they are loaded: a wrong value is refused then, in a Chinese sentence naming the variable
and where it came from, not halfway through a run."""

from __future__ import annotations

import difflib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scrapers.identity import DEFAULT_USER_AGENT

if TYPE_CHECKING:
    from scrapers.fetcher import FetchConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PREFIX = "NIANBAO_"
ENV_FILE = ".env"


class SettingsError(ValueError):
    """The settings cannot be used; the message names the variable, its source and why."""


class Settings(BaseSettings):
    # extra="allow" so the validator below sees a .env file's unknown keys and refuses the
    # NIANBAO_ ones (a .env may hold other tools' variables too)
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=ENV_FILE, extra="allow")

    data_dir: Path = Path("data")
    database_url: str = ""  # default: sqlite file under data_dir
    raw_dir: Path | None = None  # default: data_dir / "raw"
    apprise_config: Path | None = None  # apprise YAML; default: none (alerts stay pending)
    registry_path: Path = PROJECT_ROOT / "nianbao" / "agencies.yaml"
    timezone: str = "Asia/Shanghai"
    # Fetcher (scrapers.fetcher.FetchConfig)
    user_agent: str = DEFAULT_USER_AGENT
    request_timeout: float = Field(20.0, gt=0)  # one socket read or write
    connect_timeout: float = Field(5.0, gt=0)
    request_deadline: float = Field(120.0, gt=0)  # one request in all: connect, headers, body
    min_transfer_rate: float = Field(1024.0, ge=0)  # bytes/s over each 20 s once bytes flow; 0: off
    per_host_delay: float = Field(1.0, ge=0)  # s between requests to a host; registry `hosts:` per host
    max_document_bytes: int = Field(50 * 1024 * 1024, gt=0)
    respect_robots: bool = True
    fetch_retries: int = Field(2, ge=0)  # tries after the first on a transient error
    # Loopback/private addresses are refused unless allowed (the demo and tests serve on 127.0.0.1).
    allow_private_hosts: bool = False
    # An unchanged column page (304) stands for its reports for this many days after the column
    # was last read in full; then articles and attachments are asked again (conditionally).
    # A manual recrawl always reads in full.
    crawl_trust_days: float = Field(7.0, ge=0)
    # Articles fetched per column and run; the rest wait for the next run (oldest first).
    # A manual recrawl reads them all.
    max_articles_per_column: int = Field(100, ge=1)
    pdf_max_pages: int = Field(200, ge=1)  # pages of a PDF read for text
    # A run still `running` without a sign of life for this long was killed: the next run
    # marks it `abandoned`.
    abandon_after_minutes: float = Field(30.0, gt=0)
    # Flow runs over more agencies than this put several agencies in one task (flows/grouping.py);
    # 0: always one task per agency
    max_tasks_per_run: int = Field(100, ge=0)
    # A run over more agencies than this gives each task about this many (a Prefect task run costs
    # its server tens of ms of CPU, bench/cycle.py); a smaller run, a manual recrawl, one task
    # per agency. 1: one task per agency up to max_tasks_per_run
    agencies_per_task: int = Field(10, ge=1)
    # Scanned reports (OCR): at most this many pages (or images) read per document, each page
    # within this many seconds; the rest is recorded as not read (reports/parse/limits.py)
    ocr_max_pages: int = Field(12, ge=1)
    ocr_page_seconds: float = Field(30.0, gt=0)

    @field_validator("apprise_config", "raw_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty variable (NIANBAO_APPRISE_CONFIG=) means "not set", not Path("") == the cwd."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("data_dir", mode="after")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        """Resolved once here: `db_url` is read several times per agency by 16 threads, and
        resolving a path there cost a filesystem call per path component each time (≈2 s of a
        1000-agency crawl, measured), each call handing the GIL to another thread."""
        return value.resolve()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "不是数据库地址（应为 sqlite:///路径 或 postgresql+psycopg://用户@主机/库名）"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"不支持的数据库类型 {url.get_backend_name()}（只支持 sqlite 和 postgresql）")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("不是已知的时区名称（例如 Asia/Shanghai）") from None
        return value

    @model_validator(mode="after")
    def _no_unknown_keys(self) -> Settings:
        unknown = sorted(k for k in (self.model_extra or {}) if k.upper().startswith(PREFIX))
        if unknown:
            raise ValueError("unknown:" + ",".join(unknown))
        return self

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'nianbao.db'}"

    @property
    def raw_path(self) -> Path:
        return self.raw_dir or self.data_dir / "raw"

    def fetch_config(self) -> FetchConfig:
        """What the fetcher is told (scrapers/ never reads these settings itself)."""
        from scrapers.fetcher import FETCH_RETRY, FetchConfig

        return FetchConfig(
            user_agent=self.user_agent,
            timeout=self.request_timeout,
            connect_timeout=self.connect_timeout,
            deadline=self.request_deadline,
            min_rate=self.min_transfer_rate,
            per_host_delay=self.per_host_delay,
            max_bytes=self.max_document_bytes,
            respect_robots=self.respect_robots,
            allow_private_hosts=self.allow_private_hosts,
            retry=FETCH_RETRY.with_(attempts=self.fetch_retries + 1),
        )


_MESSAGES = {
    "float_parsing": "应为数字",
    "int_parsing": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
}


def _source(name: str) -> str:
    return "环境变量" if name in os.environ else f"{Path(ENV_FILE).resolve()} 文件"


def _explain(exc: ValidationError) -> str:
    fields = list(Settings.model_fields)
    lines = []
    for err in exc.errors():
        msg = str(err.get("msg", ""))
        if err["type"] == "value_error" and "unknown:" in msg:
            for key in msg.split("unknown:", 1)[1].split(","):
                name = key.upper()
                close = difflib.get_close_matches(name[len(PREFIX) :].lower(), fields, n=1)
                hint = f"（是否应为 {PREFIX}{close[0].upper()}？）" if close else ""
                lines.append(f"设置 {name}（{_source(name)}）不是已知的设置{hint}")
            continue
        field = str(err["loc"][0]) if err["loc"] else "?"
        name = PREFIX + field.upper()
        ctx: dict[str, Any] = err.get("ctx") or {}
        why = _MESSAGES.get(err["type"], "").format(**ctx) or str(ctx.get("error") or err["msg"])
        lines.append(f"设置 {name}（{_source(name)}）的值 {err.get('input')!r} 无效：{why}")
    return "；".join(lines)


def _typos_in_environment() -> list[str]:
    """NIANBAO_ variables in the environment that are almost a setting's name (a typo would
    otherwise leave the default in force, e.g. the SQLite file instead of PostgreSQL). Other
    NIANBAO_ variables are left alone: an alert config may read its secrets from them."""
    fields = list(Settings.model_fields)
    out = []
    for name in os.environ:
        if not name.startswith(PREFIX) or name[len(PREFIX) :].lower() in fields:
            continue
        close = difflib.get_close_matches(name[len(PREFIX) :].lower(), fields, n=1, cutoff=0.85)
        if close:
            out.append(f"环境变量 {name} 不是已知的设置（是否应为 {PREFIX}{close[0].upper()}？）")
    return sorted(out)


def load_settings() -> Settings:
    """The settings, or `SettingsError` saying every problem at once."""
    typos = _typos_in_environment()
    try:
        settings = Settings()
    except ValidationError as exc:
        raise SettingsError("；".join([*typos, _explain(exc)])) from None
    if typos:
        raise SettingsError("；".join(typos))
    return settings


@lru_cache
def get_settings() -> Settings:
    return load_settings()


def _register_display_zone() -> None:
    """Every text a person reads is dated in the settings' zone (NIANBAO_TIMEZONE, also from
    the .env file); alerts/localtime.py asks through this hook, not by importing the settings."""
    from alerts.localtime import use_zone

    use_zone(lambda: get_settings().timezone)


_register_display_zone()
