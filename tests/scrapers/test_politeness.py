"""Per-host politeness inside one process: the 1 s default, a host's own delay from the
registry, robots.txt only ever slower, and the wait a run makes before handing a host on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from replicas.server import ReplicaServer, Response
from scrapers.fetcher import FetchConfig
from scrapers.politeness import HostSlots, normalise_host_key
from tests.fetching import quick_fetcher
from tests.request_spacing import spacing_problems


@pytest.fixture
def site() -> Iterator[ReplicaServer]:
    routes = {
        "/robots.txt": Response(200, b"User-agent: *\nAllow: /\n", "text/plain"),
        "/a": Response(200, b"a"),
    }
    with ReplicaServer(routes) as server:
        yield server


def test_the_default_is_one_request_a_second_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao.runtime.settings import Settings

    monkeypatch.delenv("NIANBAO_PER_HOST_DELAY", raising=False)
    assert Settings().per_host_delay == 1.0
    assert Settings().fetch_config().per_host_delay == 1.0
    assert FetchConfig().per_host_delay == 1.0


def test_a_host_of_its_own_keeps_its_delay_and_the_others_the_default() -> None:
    slots = HostSlots(1.0, host_delays={"WWW.Zhanhe.gov.cn.": 2.5, "127.0.0.2:8080": 0.2})
    assert slots.delay_for("https://www.zhanhe.gov.cn/channels/a.html") == 2.5
    assert slots.delay_for("http://www.zhanhe.gov.cn:8443/") == 2.5  # host without a port: any port
    assert slots.delay_for("http://127.0.0.2:8080/a") == 0.2
    assert slots.delay_for("http://127.0.0.2:9090/a") == 1.0  # host:port: that port only
    assert slots.delay_for("https://www.shunhe.gov.cn/") == 1.0
    slots.set_host_delays({})  # the registry changed: the hosts' own delays go with it
    assert slots.delay_for("https://www.zhanhe.gov.cn/") == 1.0


def test_robots_crawl_delay_only_ever_makes_it_slower() -> None:
    slots = HostSlots(1.0, host_delays={"fast.example": 0.1, "slow.example": 3.0})
    slots.set_crawl_delay("https://fast.example/robots.txt", 0.5)
    slots.set_crawl_delay("https://slow.example/robots.txt", 0.5)
    slots.set_crawl_delay("https://plain.example/robots.txt", 0.2)
    assert slots.delay_for("https://fast.example/") == 0.5
    assert slots.delay_for("https://slow.example/") == 3.0
    assert slots.delay_for("https://plain.example/") == 1.0


def test_host_keys_are_normalised_like_the_fetchers() -> None:
    assert normalise_host_key("WWW.Zhanhe.Gov.CN.") == "www.zhanhe.gov.cn"
    assert normalise_host_key("127.0.0.2:08080") == "127.0.0.2:8080"


def test_the_configured_delay_spaces_a_hosts_requests(site: ReplicaServer) -> None:
    """A host's own delay (0.3 s) over the fetcher's default (0): read from the server's log."""
    host = f"127.0.0.1:{site.port}"
    with quick_fetcher(retries=0) as fetcher:
        fetcher.slots.set_host_delays({host: 0.3})
        for _ in range(3):
            fetcher.fetch(site.url("/a"))
    assert len(site.requests) == 4  # robots.txt and three pages
    assert spacing_problems(site.requests, 0.3) == []


def test_wait_quiet_returns_when_the_next_request_may_go(site: ReplicaServer) -> None:
    """What a run does before giving a host's slot to a run in another process."""
    with quick_fetcher(retries=0) as fetcher:
        fetcher.slots.set_host_delays({f"127.0.0.1:{site.port}": 0.3})
        fetcher.fetch(site.url("/a"))
        slept = fetcher.slots.wait_quiet([site.url("/a")])
        done = time.monotonic()
        last = site.requests.for_path("/a")[-1]
        assert slept > 0 and done - last.answered >= 0.3
        assert fetcher.slots.wait_quiet([site.url("/a")]) == 0.0  # nothing new since: no wait
    assert HostSlots(1.0).wait_quiet(["http://never.example/"]) == 0.0  # never asked: no wait


def test_the_flows_fetcher_takes_the_registrys_host_delays(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flows import runtime
    from nianbao.runtime.settings import get_settings

    path = tmp_path / "agencies.yaml"
    path.write_text(yaml.safe_dump({"hosts": {"www.zhanhe.gov.cn": {"delay": 2.0, "concurrency": 1}}}))
    monkeypatch.setenv("NIANBAO_REGISTRY_PATH", str(path))
    monkeypatch.setenv("NIANBAO_PER_HOST_DELAY", "1")
    get_settings.cache_clear()
    runtime.reset_shared_fetcher()
    try:
        fetcher = runtime.shared_fetcher()
        assert fetcher.slots.delay_for("https://www.zhanhe.gov.cn/a") == 2.0
        assert fetcher.slots.delay_for("https://www.shunhe.gov.cn/a") == 1.0
        path.write_text(yaml.safe_dump({"hosts": {"www.zhanhe.gov.cn": {"delay": 3.0}}}))
        assert runtime.shared_fetcher() is fetcher  # same fetcher, the registry's new delay
        assert fetcher.slots.delay_for("https://www.zhanhe.gov.cn/a") == 3.0
    finally:
        runtime.reset_shared_fetcher()
        get_settings.cache_clear()


@pytest.mark.parametrize(("value", "why"), [("30", "应不小于 60 秒"), ("五分钟", "应为秒数")])
def test_a_slot_lease_prefect_would_refuse_is_named(
    monkeypatch: pytest.MonkeyPatch, value: str, why: str
) -> None:
    from flows.politeness import slot_lease_seconds

    monkeypatch.setenv("NIANBAO_HOST_SLOT_LEASE", value)
    with pytest.raises(ValueError, match=f"NIANBAO_HOST_SLOT_LEASE.*{why}"):
        slot_lease_seconds()
    monkeypatch.setenv("NIANBAO_HOST_SLOT_LEASE", "90")
    assert slot_lease_seconds() == 90.0
