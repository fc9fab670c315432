"""Process-wide pieces the flows share: the fetcher (per-host politeness spans all tasks of a
process), the registry settings, the default report year and alert delivery."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from nianbao.registry import RegistrySettings, load_registry
from nianbao.settings import Settings, get_settings
from scrapers.fetcher import Fetcher

_lock = threading.Lock()
_fetcher: Fetcher | None = None


def shared_fetcher() -> Fetcher:
    global _fetcher
    with _lock:
        if _fetcher is None:
            _fetcher = Fetcher(get_settings().fetch_config())
        return _fetcher


def reset_shared_fetcher() -> None:
    """Close and forget the fetcher (tests and the demo change settings between runs); closing
    drops its keep-alive connections, which could otherwise outlive the server they point at."""
    global _fetcher
    with _lock:
        if _fetcher is not None:
            _fetcher.close()
        _fetcher = None


def default_report_year(now: datetime | None = None) -> int:
    """Reports cover the previous calendar year (Beijing time)."""
    now = now or datetime.now(ZoneInfo("Asia/Shanghai"))
    return now.year - 1


_registry_cache: dict[str, tuple[tuple[int, int], RegistrySettings]] = {}
_registry_lock = threading.Lock()  # one loader at a time: the others wait for its result


def registry_settings() -> RegistrySettings:
    """The registry's `settings:` block, re-read only when the file changes. Every agency task
    asks, and loading a registry of thousands of agencies costs more than crawling one, so the
    tasks of a run that start together wait for one load instead of each doing their own."""
    path = get_settings().registry_path
    with _registry_lock:
        try:
            st = path.stat()
        except FileNotFoundError:
            return RegistrySettings()
        stamp = (st.st_mtime_ns, st.st_size)
        cached = _registry_cache.get(str(path))
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_registry(path).settings)
            _registry_cache[str(path)] = cached
        return cached[1].model_copy()


def deliver_alerts(settings: Settings) -> dict:
    """Send pending alerts through apprise; without a config they stay pending (and say so)."""
    from alerts.deliver import deliver_pending

    if settings.apprise_config is None or not settings.apprise_config.exists():
        return {"skipped": "no apprise config (NIANBAO_APPRISE_CONFIG); alerts stay pending"}
    report = deliver_pending(settings.db_url, settings.apprise_config)
    return report.as_dict() if hasattr(report, "as_dict") else dict(vars(report))
