"""Settings from the environment (prefix NIANBAO_) and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""  # default: sqlite file under data_dir
    raw_dir: Path | None = None  # default: data_dir / "raw"
    apprise_config: Path | None = None  # apprise YAML; default: none (alerts stay pending)
    registry_path: Path = PROJECT_ROOT / "nianbao" / "agencies.yaml"
    timezone: str = "Asia/Shanghai"
    # Fetcher politeness
    user_agent: str = "nianbao-monitor/0.1 (+oversight office compliance monitor)"
    request_timeout: float = 20.0
    per_host_delay: float = 0.5
    max_document_bytes: int = 50 * 1024 * 1024
    respect_robots: bool = True
    connect_timeout: float = 5.0
    # An unchanged column page (304) stands for its reports for this many days after the column
    # was last read in full; then articles and attachments are asked again (conditionally).
    # A manual recrawl always reads in full.
    crawl_trust_days: float = 7.0
    # Flow runs over more agencies than this put several agencies in one task (flows/grouping.py);
    # 0: always one task per agency
    max_tasks_per_run: int = 100
    # Scanned reports (OCR): at most this many pages (or images) read per document, each page
    # within this many seconds; the rest is recorded as not read (reports/parse/limits.py)
    ocr_max_pages: int = 12
    ocr_page_seconds: float = 30.0
    # Loopback/private addresses are refused unless allowed (the demo and tests serve on 127.0.0.1).
    allow_private_hosts: bool = False

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

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'nianbao.db'}"

    @property
    def raw_path(self) -> Path:
        return self.raw_dir or self.data_dir / "raw"


@lru_cache
def get_settings() -> Settings:
    return Settings()
