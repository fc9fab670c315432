"""Production fetchers never reach loopback or private addresses; the tests opt in."""

import pytest

from replicas.sample_portal import start_sample_portal
from scrapers.addresses import internal_address
from scrapers.fetcher import Fetcher


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.8", "169.254.169.254", "[::1]"]
)
def test_internal_hosts_are_recognised(host: str) -> None:
    assert internal_address(host)


@pytest.mark.parametrize("host", ["8.8.8.8", "203.0.113.300", "www.zhanhe.gov.cn"])
def test_public_or_unresolvable_hosts_pass(host: str) -> None:
    assert internal_address(host) is None


def test_default_fetcher_refuses_loopback_and_fetches_nothing() -> None:
    with start_sample_portal() as portal:
        result = Fetcher(allow_private_hosts=False, respect_robots=False).fetch(portal.base_url + "/")
        assert not result.ok and result.kind == "not_allowed"
        assert "内网或本机" in result.detail
        assert portal.requests == [] or len(portal.requests) == 0


def test_opted_in_fetcher_reaches_the_sample_portal() -> None:
    with start_sample_portal() as portal:
        result = Fetcher(allow_private_hosts=True).fetch(portal.base_url + "/robots.txt")
        assert result.ok or result.kind == "http_error"
        assert len(portal.requests) >= 1
