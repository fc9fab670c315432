"""Process-wide pieces the flows share: the fetcher (per-host politeness spans all tasks of a
process) and alert delivery."""

from __future__ import annotations

import threading

from nianbao.runtime.settings import Settings, get_settings
from nianbao.store.registry import registry_hosts
from scrapers.fetcher import Fetcher
from scrapers.run_memo import RunMemo, remembering

_lock = threading.Lock()
_fetcher: Fetcher | None = None
_memos: dict[int, RunMemo] = {}  # crawl run id -> what the portals answered in that run


def shared_fetcher() -> Fetcher:
    """The process's fetcher, with the registry's per-host delays as the registry says now."""
    global _fetcher
    hosts = registry_hosts()
    with _lock:
        if _fetcher is None:
            _fetcher = Fetcher(get_settings().fetch_config())
        _fetcher.slots.set_host_delays({h: e.delay for h, e in hosts.items() if e.delay is not None})
        return _fetcher


def run_fetcher(run_id: int) -> Fetcher:
    """The process's fetcher answering from the run's memo (`scrapers.run_memo`): the tasks of
    one run ask a shared column's pages once, not once per agency."""
    fetcher = shared_fetcher()
    with _lock:
        memo = _memos.setdefault(run_id, RunMemo())
    return remembering(fetcher, memo)


def forget_run(run_id: int) -> RunMemo | None:
    """Drop the run's memo (the run is over: the next one asks the portals again)."""
    with _lock:
        return _memos.pop(run_id, None)


def reset_shared_fetcher() -> None:
    """Close and forget the fetcher (tests and the demo change settings between runs); closing
    drops its keep-alive connections, which could otherwise outlive the server they point at."""
    global _fetcher
    with _lock:
        if _fetcher is not None:
            _fetcher.close()
        _fetcher = None


def deliver_alerts(settings: Settings) -> dict:
    """Send pending alerts through apprise; without a config they stay pending (and say so)."""
    from alerts.deliver import deliver_pending

    if settings.apprise_config is None or not settings.apprise_config.exists():
        return {"skipped": "no apprise config (NIANBAO_APPRISE_CONFIG); alerts stay pending"}
    report = deliver_pending(settings.db_url, settings.apprise_config)
    return report.as_dict() if hasattr(report, "as_dict") else dict(vars(report))
