"""The per-host limits against a real Prefect server: the registry's `concurrency` sets a
host's `host-…` limit (others keep what an operator set), and a run gives its hosts' slots
back only after their delay since its last request, so the next run, on any worker, keeps it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from replicas.server import ReplicaServer, Response


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty registry file the test fills in; every cache that reads it starts afresh."""
    from flows import politeness, runtime
    from nianbao.runtime.settings import get_settings
    from nianbao.store import registry as registry_module

    path = tmp_path / "agencies.yaml"
    path.write_text("jurisdictions: []\n", encoding="utf-8")
    monkeypatch.setenv("NIANBAO_REGISTRY_PATH", str(path))
    monkeypatch.setenv("NIANBAO_HOST_CONCURRENCY", "1")
    monkeypatch.setattr(registry_module, "_registry_cache", {})
    monkeypatch.setattr(politeness, "_ensured", {})
    get_settings.cache_clear()
    runtime.reset_shared_fetcher()
    yield path
    runtime.reset_shared_fetcher()
    get_settings.cache_clear()


def _limit(name: str) -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(name).limit


def _active(name: str) -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(name).active_slots


def test_the_registry_sets_a_hosts_concurrency_and_an_operators_limit_stays(
    prefect_harness, registry: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    from flows.politeness import ensure_host_limits, limit_name

    tag = uuid.uuid4().hex[:8]
    pinned, plain, tuned = f"a{tag}.example:8080", f"b{tag}.example", f"c{tag}.example"
    registry.write_text(
        yaml.safe_dump({"hosts": {pinned: {"concurrency": 3}, plain: {"delay": 2.0}}}), encoding="utf-8"
    )
    with get_client(sync_client=True) as client:
        for host, slots in ((pinned, 1), (tuned, 5)):  # as someone left them in the UI
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=limit_name(host), limit=slots)
            )
    names = ensure_host_limits([pinned, plain, tuned])
    assert names == [limit_name(h) for h in (pinned, plain, tuned)]
    assert _limit(limit_name(pinned)) == 3  # the registry's word
    assert _limit(limit_name(plain)) == 1  # created with NIANBAO_HOST_CONCURRENCY
    assert _limit(limit_name(tuned)) == 5  # the registry says nothing: the UI's value stays


def test_a_run_hands_its_host_on_only_after_the_hosts_delay(prefect_harness, registry: Path) -> None:
    from flows.politeness import limit_name, polite, run_slots
    from flows.runtime import shared_fetcher

    routes = {
        "/robots.txt": Response(200, b"User-agent: *\nAllow: /\n", "text/plain"),
        "/a": Response(200, b"a"),
    }
    with ReplicaServer(routes) as site:
        host = f"127.0.0.1:{site.port}"
        registry.write_text(yaml.safe_dump({"hosts": {host: {"delay": 0.5}}}), encoding="utf-8")
        held_while_settling = []

        def settle(urls: list[str]) -> None:
            held_while_settling.append(_active(limit_name(host)))
            shared_fetcher().slots.wait_quiet(urls)

        with polite([site.url("/a")], settle=settle):
            shared_fetcher().fetch(site.url("/a"), allowed_hosts=[host])
        assert held_while_settling == [1]  # the wait happens before the slot goes back

        with run_slots(1, [site.url("/a")]) as names:
            assert names == [limit_name(host)] and _active(limit_name(host)) == 1
            shared_fetcher().fetch(site.url("/a"), allowed_hosts=[host])
        handed_on = time.monotonic()
        assert _active(limit_name(host)) == 0
        assert handed_on - site.requests.for_path("/a")[-1].answered >= 0.5
