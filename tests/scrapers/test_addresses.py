"""The address guard: its decision on a table of addresses (no traffic at all), and the
pinning, tried with names only this test's resolver knows, on loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from replicas.hostile import HostileServer, answer
from replicas.server import ReplicaServer, Response
from scrapers.addresses import AddressGuard, AddressRefused, address_refusal, normalise_host
from scrapers.fetcher import FetchError, FetchResult, host_allowed
from tests.fetching import quick_fetcher


def table(answers: dict[str, Sequence[str]]):
    """A resolver that knows only `answers` (anything else: "name not known")."""

    def resolve(host: str, port: int) -> Sequence[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.5.4",
    "192.168.0.8",
    "169.254.169.254",  # link-local metadata
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # a cloud metadata address inside 100.64.0.0/10
    "0.0.0.0",
    "198.18.0.1",
    "192.0.2.10",
    "224.0.0.1",  # multicast (ipaddress calls it global)
    "239.255.255.250",
    "255.255.255.255",
    "192.88.99.1",  # 6to4 relay anycast
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "ff0e::1",  # global-scope multicast
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 form of 127.0.0.1
    "2002:a00:1::",  # 6to4 form of 10.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 form of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 form of 127.0.0.1
    "64:ff9b::a9fe:a9fe",
    "::127.0.0.1",  # IPv4-compatible (deprecated) loopback
    "2001:db8::1",
]
ALLOWED = ["8.8.8.8", "202.108.22.5", "2400:3200::1", "::ffff:8.8.8.8", "2002:808:808::", "64:ff9b::808:808"]


@pytest.mark.parametrize("ip", REFUSED)
def test_internal_addresses_are_refused(ip: str) -> None:
    assert address_refusal(ip)
    with pytest.raises(AddressRefused) as caught:
        AddressGuard().addresses(ip, 80)
    assert caught.value.kind == "not_allowed"


@pytest.mark.parametrize("ip", ALLOWED)
def test_global_addresses_pass(ip: str) -> None:
    assert address_refusal(ip) is None
    assert AddressGuard().addresses(ip, 80) == [str(ipaddress.ip_address(ip))]


@pytest.mark.parametrize("name", ["localhost", "localhost.", "LocalHost.", "www.localhost", "a.b.localhost."])
def test_localhost_names_are_refused_whatever_dns_says(name: str) -> None:
    guard = AddressGuard(resolver=table({normalise_host(name): ["8.8.8.8"]}))
    with pytest.raises(AddressRefused) as caught:
        guard.addresses(name, 80)
    assert caught.value.kind == "not_allowed"


@pytest.mark.parametrize(
    ("answers", "kind"),
    [
        (["10.0.0.5"], "not_allowed"),
        (["8.8.8.8", "127.0.0.1"], "not_allowed"),  # a rebinding answer mixes them
        (["100.64.1.1"], "not_allowed"),
        (["::ffff:192.168.1.1"], "not_allowed"),
    ],
)
def test_a_name_resolving_to_any_internal_address_is_refused(answers: list[str], kind: str) -> None:
    guard = AddressGuard(resolver=table({"portal.example.cn": answers}))
    with pytest.raises(AddressRefused) as caught:
        guard.addresses("portal.example.cn.", 443)
    assert caught.value.kind == kind


def test_a_name_that_does_not_resolve_is_refused_as_unreachable() -> None:
    with pytest.raises(AddressRefused) as caught:
        AddressGuard(resolver=table({})).addresses("www.zhanhe.gov.cn", 443)
    assert caught.value.kind == "unreachable" and "无法解析" in caught.value.detail
    with pytest.raises(AddressRefused):
        AddressGuard(resolver=table({"empty.example.cn": []})).addresses("empty.example.cn", 443)


def test_a_global_name_passes_with_its_addresses_in_order() -> None:
    guard = AddressGuard(resolver=table({"www.gov.cn": ["202.108.22.5", "2400:3200::1"]}))
    assert guard.addresses("WWW.GOV.CN.", 443) == ["202.108.22.5", "2400:3200::1"]


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_form_of_an_internal_address_is_refused(n: int) -> None:
    v4 = ipaddress.IPv4Address(n)
    internal = address_refusal(str(v4)) is not None
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (n << 80))
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | n)
    for form in (mapped, sixtofour, nat64):
        if internal:
            assert address_refusal(str(form)), form


def test_trailing_dots_are_one_host_with_the_plain_name() -> None:
    assert normalise_host("WWW.Zhanhe.gov.cn.") == "www.zhanhe.gov.cn"
    assert host_allowed("https://www.zhanhe.gov.cn./x.html", ["www.zhanhe.gov.cn"])
    assert host_allowed("https://oss.henan.gov.cn/a.pdf", ["henan.gov.cn."])
    assert not host_allowed("https://zhanhe.gov.cn.evil.com/", ["zhanhe.gov.cn"])


# -- the fetcher ---------------------------------------------------------------------------


def test_default_fetcher_refuses_loopback_and_fetches_nothing() -> None:
    with ReplicaServer({"/": Response(body=b"<html><body>hi</body></html>")}) as site:
        for url in (
            site.base_url + "/",
            f"http://localhost.:{site.port}/",
            f"http://[::ffff:127.0.0.1]:{site.port}/",
        ):
            result = quick_fetcher(allow_private_hosts=False).fetch(url)
            assert isinstance(result, FetchError) and result.kind == "not_allowed", url
            assert "内网或本机" in result.detail
        assert len(site.requests) == 0  # robots.txt included: nothing reached the server


def test_the_fetcher_connects_to_the_address_it_resolved_and_keeps_the_name() -> None:
    """`portal.test` exists only in this resolver: httpx resolving it again would fail."""
    with ReplicaServer(
        {"/page.html": Response(body="<html><body><p>正文</p></body></html>".encode())}
    ) as site:
        calls: list[str] = []

        def resolve(host: str, port: int) -> list[str]:
            calls.append(host)
            return ["127.0.0.1"]

        with quick_fetcher(resolver=resolve, respect_robots=False) as f:
            got = f.fetch(f"http://portal.test.:{site.port}/page.html")
    assert isinstance(got, FetchResult) and "正文" in got.text()
    assert site.requests.for_path("/page.html")[0].headers["host"] == f"portal.test.:{site.port}"
    assert calls == ["portal.test"]


def test_each_connection_goes_to_the_address_the_guard_returned_for_it() -> None:
    """A rebinding name: every answer differs. Two loopback addresses listen on one port; each
    connection must arrive at exactly the address the guard handed out for it."""
    first = HostileServer(answer(b"<html><body>one</body></html>"), host="127.0.0.1")
    try:
        second = HostileServer(answer(b"<html><body>two</body></html>"), host="127.0.0.2", port=first.port)
    except OSError as exc:  # pragma: no cover - a kernel without 127/8 routed to lo
        first.stop()
        pytest.skip(f"127.0.0.2 not bindable here: {exc}")
    handed: list[str] = []
    answers = iter(["127.0.0.2", "127.0.0.1", "127.0.0.2", "127.0.0.1"])

    def rebinding(host: str, port: int) -> list[str]:
        handed.append(next(answers))
        return [handed[-1]]

    try:
        with quick_fetcher(resolver=rebinding, respect_robots=False) as f:
            bodies = [f.fetch(f"http://rebind.test:{first.port}/p{i}.html") for i in range(4)]
        arrivals = [*first.arrivals, *second.arrivals]
    finally:
        first.stop()
        second.stop()
    assert all(isinstance(b, FetchResult) for b in bodies), bodies
    assert [b.text() for b in bodies if isinstance(b, FetchResult)] == [
        "<html><body>two</body></html>",
        "<html><body>one</body></html>",
    ] * 2
    assert sorted(arrivals) == sorted(handed) and len(handed) == 4


def _ca_and_leaf(tmp: Path, name: str) -> tuple[Path, ssl.SSLContext]:
    """A CA and a certificate for `name` signed by it; the server context carries the leaf."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nianbao test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp / "leaf.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp / "leaf.pem", tmp / "leaf.key")
    return tmp / "ca.pem", ctx


def test_pinned_https_keeps_sni_and_the_certificate_check_on_the_name(tmp_path: Path) -> None:
    ca, ctx = _ca_and_leaf(tmp_path, "portal.test")
    seen_sni: list[str | None] = []
    ctx.sni_callback = lambda sock, server_name, _ctx: seen_sni.append(server_name)
    routes = {"/page.html": Response(body=b"<html><body><p>secure</p></body></html>")}
    with ReplicaServer(routes, ssl_context=ctx) as site:
        resolver = table({"portal.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
        with quick_fetcher(resolver=resolver, respect_robots=False, ca_bundle=str(ca), retries=0) as f:
            good = f.fetch(f"https://portal.test:{site.port}/page.html")
            wrong = f.fetch(f"https://other.test:{site.port}/page.html")  # same address, other name
    assert isinstance(good, FetchResult) and "secure" in good.text()
    assert seen_sni[0] == "portal.test" and "other.test" in seen_sni
    assert isinstance(wrong, FetchError) and wrong.evidence.get("tls")  # the name is what is checked
