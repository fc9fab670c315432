"""Discovery on replicas of the Hanweb, Pingdingshan, Kaifeng and gkmlpt families (real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from replicas.family_portal import FamilyPortal, start_family_portal
from scrapers.cli_discover import DiscoverFailed, discover_json
from scrapers.discover import discover, fetch_report_document
from scrapers.fetcher import Fetcher, FetchResult

HOSTS = ["127.0.0.1"]
FAMILIES = {
    "hanweb": "hanweb",
    "hanweb_paged": "hanweb",
    "pds": "pds",
    "kaifeng": "kaifeng",
    "gkmlpt": "gkmlpt",
}
LOOK_ALIKES = ("报表", "预算", "决算", "通知")


@pytest.fixture(scope="module")
def fam() -> Iterator[FamilyPortal]:
    with start_family_portal() as p:
        yield p


def _key(portal: FamilyPortal, r) -> tuple:
    return (
        r.url.removeprefix(portal.base_url),
        r.title,
        r.agency,
        r.year,
        r.published_at,
        r.published_at_source,
    )


@pytest.mark.parametrize("family", FAMILIES)
def test_finds_exactly_the_published_reports(fam: FamilyPortal, fetcher: Fetcher, family: str) -> None:
    result = discover(fam.entry_url(family), fetcher, HOSTS)
    assert result.errors == []
    want = {
        (w["path"], w["title"], w["agency"], w["year"], w["published_at"], w["published_at_source"])
        for w in fam.expected[family]
    }
    assert {_key(fam, r) for r in result.reports} == want
    assert len(result.reports) == len(want)  # no duplicates from overlapping groups
    assert {r.adapter for r in result.reports} == {FAMILIES[family]}
    assert not any(word in r.title for r in result.reports for word in LOOK_ALIKES)
    years = {r.year for r in result.reports}
    assert len(years) >= 2
    sources = {r.published_at_source for r in result.reports}
    assert len(sources) >= 1 and None not in sources


def test_hanweb_pages_beyond_the_datastore_by_post(fam: FamilyPortal, fetcher: Fetcher) -> None:
    fam.requests.clear()
    result = discover(fam.entry_url("hanweb"), fetcher, HOSTS)
    posts = [r for r in fam.requests if r.method == "POST" and "dataproxy.jsp" in r.path]
    assert len(posts) == 1 and "startrecord=46" in posts[0].path
    assert len(result.reports) == 36  # 45 embedded + 3 from the proxy, minus 12 look-alikes


def test_hanweb_server_ignoring_startrecord_is_paged_by_page(fam: FamilyPortal, fetcher: Fetcher) -> None:
    fam.requests.clear()
    result = discover(fam.entry_url("hanweb_paged"), fetcher, HOSTS)
    paths = [r.path for r in fam.requests if "dataproxy.jsp" in r.path]
    assert any("page=2" in p for p in paths) and any("page=3" in p for p in paths)
    assert len(result.reports) == 10


def test_look_alike_articles_are_never_fetched(fam: FamilyPortal, fetcher: Fetcher) -> None:
    for family in FAMILIES:
        fam.requests.clear()
        discover(fam.entry_url(family), fetcher, HOSTS)
        fetched = {r.path for r in fam.requests}
        want = {w["path"] for w in fam.expected[family]}
        articles = {
            p for p in fetched if "/art/" in p or "/contents/" in p or "post_" in p or "zfxxgknb/18" in p
        }
        assert articles == want, family


def test_pds_visits_every_page_from_the_page_counter(fam: FamilyPortal, fetcher: Fetcher) -> None:
    result = discover(fam.entry_url("pds"), fetcher, HOSTS)
    assert [p.removeprefix(fam.base_url) for p in result.pages_visited] == [
        "/zhanhe/channels/12989.html",
        "/zhanhe/channels/12989_2.html",
        "/zhanhe/channels/12989_3.html",
        "/zhanhe/channels/12989_4.html",  # 24 rows, 6 a page: 「当前第 1 / 4」
    ]


def test_kaifeng_behind_wzws_is_blocked_not_parsed(fam: FamilyPortal, fetcher: Fetcher) -> None:
    fam.requests.clear()
    result = discover(fam.entry_url("kaifeng_blocked"), fetcher, HOSTS)
    assert result.reports == []
    assert [(e.kind, e.evidence["vendor"]) for e in result.errors] == [("blocked", "wzws")]
    assert "wzws_cid" in result.errors[0].evidence["cookies"]
    assert not any("getHtmlInDivNormal" in r.path for r in fam.requests)


@pytest.mark.parametrize("family", ["hanweb", "pds", "kaifeng", "gkmlpt"])
def test_pdf_reports_come_from_their_attachment(fam: FamilyPortal, fetcher: Fetcher, family: str) -> None:
    result = discover(fam.entry_url(family), fetcher, HOSTS)
    pdf_paths = {w["path"] for w in fam.expected[family] if w["kind"] == "pdf"}
    reports = [r for r in result.reports if r.url.removeprefix(fam.base_url) in pdf_paths]
    assert reports
    for r in reports:
        got = fetch_report_document(r, fetcher, HOSTS)
        assert isinstance(got, FetchResult) and got.sniffed_kind == "pdf", r.url
        doc = got
    if family == "hanweb":  # downfile.jsp -> 302 -> /attach/0/
        assert "/hanweb/attach/0/" in doc.final_url and "downfile.jsp" in doc.url


def test_discover_json_shape(fam: FamilyPortal, fetcher: Fetcher) -> None:
    rows = discover_json(fam.entry_url("hanweb"), fetcher)
    assert len(rows) == 36
    json.dumps(rows, ensure_ascii=False)  # serialisable as printed by the CLI
    pdf = next(r for r in rows if r["attachments"])
    assert set(pdf) == {
        "title",
        "agency",
        "year",
        "url",
        "published_at",
        "published_at_source",
        "attachments",
        "adapter",
        "agency_source",
    }
    assert pdf["agency_source"] in (
        "title",
        "meta:ContentSource",
        "label:来源",
        "label:发布机构",
        "page:unit_line",
    )
    assert pdf["adapter"] == "hanweb" and "downfile.jsp" in pdf["attachments"][0]
    assert pdf["published_at"][:4] == str(pdf["year"] + 1)
    with pytest.raises(DiscoverFailed) as err:
        discover_json(fam.entry_url("kaifeng_blocked"), fetcher)
    assert "blocked" in err.value.reasons[0]


def test_every_adapter_module_registers_its_family_and_detection_goes_most_specific_first() -> None:
    """A new portal family is one module with `@family(priority)`: no list elsewhere to edit.
    A family class left unregistered would never be detected, so every adapter class in the
    package must be registered, and detection asks them by priority."""
    import importlib
    import inspect
    import pkgutil

    import scrapers.adapters as package
    from scrapers.adapters.auto import ADAPTERS
    from scrapers.adapters.base import FAMILIES
    from scrapers.adapters.generic import GenericAdapter

    defined = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"scrapers.adapters.{info.name}")
        defined |= {
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, GenericAdapter)
            and cls is not GenericAdapter
            and cls.__module__ == module.__name__
        }
    assert defined and defined == set(FAMILIES)
    assert sorted(FAMILIES, key=lambda cls: -FAMILIES[cls]) == ADAPTERS
    assert [cls.name for cls in ADAPTERS][:2] == ["hanweb", "kaifeng"]  # API-driven families first
