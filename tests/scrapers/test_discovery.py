"""Discovery on the sample portal: exactly the published reports, right dates, every page, the PDF."""

from __future__ import annotations

import time
from datetime import date

import pypdfium2 as pdfium
import pytest

from replicas.catalog import DISTRICTS
from replicas.sample_portal import SAMPLE_AGENCIES, SAMPLE_REPORTS, SamplePortal
from replicas.site import seed_text
from scrapers.discover import discover, fetch_report_document
from scrapers.fetcher import Fetcher, FetchResult
from scrapers.titles import agency_matches

HOSTS = ["127.0.0.1"]
LOOK_ALIKES = ("报表", "预算", "决算", "通知", "要点")


@pytest.mark.parametrize("district", DISTRICTS, ids=lambda d: d.code)
def test_finds_exactly_the_published_reports(portal: SamplePortal, fetcher: Fetcher, district) -> None:
    result = discover(portal.url(district.entry_path), fetcher, HOSTS)
    assert result.errors == []
    got = {
        (
            r.url.removeprefix(portal.base_url),
            r.title,
            r.agency,
            r.year,
            r.published_at,
            r.published_at_source,
        )
        for r in result.reports
    }
    want = {
        (r["path"], r["title"], r["agency"], r["year"], r["published_at"], r["published_at_source"])
        for r in SAMPLE_REPORTS
        if r["district_code"] == district.code
    }
    assert got == want
    assert not any(word in r.title for r in result.reports for word in LOOK_ALIKES)
    assert {r.adapter for r in result.reports} == {district.family}


def test_every_list_page_is_visited(portal: SamplePortal, fetcher: Fetcher) -> None:
    pages = {d.code: len(discover(portal.url(d.entry_path), fetcher, HOSTS).pages_visited) for d in DISTRICTS}
    assert pages == {"zhanhe": 3, "shunhe": 2, "weidong": 1, "jianxi": 2}
    paths = {r.path for r in portal.requests}
    assert "/zhanhe/zfxxgk/zfxxgknb/index_2.shtml" in paths  # createPageHTML(3, …) page 3
    assert "/jianxi/zfxxgk/zfxxgknb/index_1.html" in paths  # 「下一页」 link
    # the oldest zhanhe report is only on page 3
    assert "/zhanhe/zfxxgk/zfxxgknb/202301/t20230118_2310458.shtml" in paths


def test_look_alike_articles_are_never_fetched(portal: SamplePortal, fetcher: Fetcher) -> None:
    portal.requests.clear()
    discover(portal.url("/zhanhe/zfxxgk/zfxxgknb/index.shtml"), fetcher, HOSTS)
    fetched = {r.path for r in portal.requests}
    assert "/zhanhe/zfxxgk/zfxxgknb/202501/t20250115_2523016.shtml" not in fetched  # 年度报表
    assert "/zhanhe/zfxxgk/zfxxgknb/202501/t20250106_2519877.shtml" not in fetched  # 通知
    assert "/zhanhe/zfxxgk/zfxxgknb/202403/t20240315_2431290.shtml" not in fetched  # 部门预算


def test_jianxi_pdf_attachment_is_found_and_fetched(portal: SamplePortal, fetcher: Fetcher) -> None:
    result = discover(portal.url("/jianxi/zfxxgk/zfxxgknb/index.html"), fetcher, HOSTS)
    rep = next(r for r in result.reports if r.year == 2024)
    expected = next(r for r in SAMPLE_REPORTS if r["agency_code"] == "jianxi-gongxin" and r["year"] == 2024)
    assert [a.url for a in rep.attachments] == [portal.url(expected["attachment_path"])]
    doc = fetch_report_document(rep, fetcher, HOSTS)
    assert isinstance(doc, FetchResult) and doc.sniffed_kind == "pdf"
    pdf = pdfium.PdfDocument(doc.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "涧西区工业和信息化局2024年政府信息公开工作年" in text
    assert "".join(text.split()) == "".join(seed_text("jianxi-gongxin-2024.txt").split())


def test_inline_report_document_is_the_article_html(portal: SamplePortal, fetcher: Fetcher) -> None:
    result = discover(portal.url("/zhanhe/zfxxgk/zfxxgknb/index.shtml"), fetcher, HOSTS)
    rep = next(r for r in result.reports if r.agency == "湛河区工信局")
    doc = fetch_report_document(rep, fetcher, HOSTS)
    assert isinstance(doc, FetchResult) and doc.sniffed_kind == "html"
    assert "第二十条第（一）项" in doc.text()


def test_gbk_district_is_decoded(portal: SamplePortal, fetcher: Fetcher) -> None:
    result = discover(portal.url("/weidong/zfxxgk/zfxxgknb/index.shtml"), fetcher, HOSTS)
    rep = next(r for r in result.reports if r.year == 2024)
    assert rep.title == "卫东区人民政府办公室2024年政府信息公开工作年度报告"
    assert rep.article is not None and rep.article.encoding == "gb18030"


def test_registry_view_on_time_late_missing(portal: SamplePortal, fetcher: Fetcher) -> None:
    """What the monitor will conclude per agency for 2024 (deadline 2025-01-31 inclusive)."""
    found = {d.code: discover(portal.url(d.entry_path), fetcher, HOSTS).reports for d in DISTRICTS}
    verdicts = {}
    for agency in SAMPLE_AGENCIES:
        mine = [
            r
            for r in found[agency["district_code"]]
            if r.year == 2024 and agency_matches(r.agency, agency["name"], agency["short_names"])
        ]
        if not mine:
            verdicts[agency["code"]] = "missing"
        else:
            assert len(mine) == 1, [r.title for r in mine]
            on_time = mine[0].published_at is not None and mine[0].published_at.date() <= date(2025, 1, 31)
            verdicts[agency["code"]] = "on_time" if on_time else "late"
    assert verdicts == {a["code"]: a["expect_2024"] for a in SAMPLE_AGENCIES}


def test_unreachable_real_domain_is_a_quick_clean_result(fetcher: Fetcher) -> None:
    t0 = time.monotonic()
    result = discover("https://www.zhanhe.gov.cn/zfxxgk/zfxxgknb/index.shtml", fetcher, ["zhanhe.gov.cn"])
    assert time.monotonic() - t0 < 10
    assert result.reports == []
    assert [e.kind for e in result.errors] == ["unreachable"]
    assert result.errors[0].url == "https://www.zhanhe.gov.cn/zfxxgk/zfxxgknb/index.shtml"
