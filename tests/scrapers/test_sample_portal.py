"""The sample portal itself: fast start, faithful seed pages, a PDF whose text round-trips."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pypdfium2 as pdfium
from bs4 import BeautifulSoup

from replicas.catalog import ITEMS
from replicas.pdf import text_to_pdf
from replicas.sample_portal import SAMPLE_AGENCIES, SAMPLE_REPORTS, SamplePortal, start_sample_portal
from replicas.site import SEED_DIR, seed_text
from replicas.synthetic import Figures


def test_starts_on_a_free_port_and_logs_requests(tmp_path: Path) -> None:
    with start_sample_portal(pdf_cache_dir=tmp_path) as p:
        r = httpx.get(p.url("/zhanhe/zfxxgk/zfxxgknb/index.shtml"))
        assert r.status_code == 200
        logged = list(p.requests)
    assert logged[-1].method == "GET" and logged[-1].path == "/zhanhe/zfxxgk/zfxxgknb/index.shtml"
    assert logged[-1].status == 200 and logged[-1].bytes == len(r.content)


def test_committed_seed_copies_are_the_real_reports() -> None:
    """The seeds are the project's first fixtures: their committed copies must stay byte for byte
    the real reports of shared/seeds, whose digests SHA256SUMS records (taken from shared/)."""
    sums = (SEED_DIR / "SHA256SUMS").read_text(encoding="utf-8").split("\n")
    expected = {name: digest for digest, name in (line.split() for line in sums if line.strip())}
    assert sorted(expected) == sorted(p.name for p in SEED_DIR.glob("*.txt")) and len(expected) == 4
    for name, digest in expected.items():
        assert hashlib.sha256((SEED_DIR / name).read_bytes()).hexdigest() == digest, name


def test_seed_tables_become_html_tables(portal: SamplePortal) -> None:
    path = next(
        r["path"] for r in SAMPLE_REPORTS if r["agency_code"] == "zhanhe-yingji" and r["year"] == 2024
    )
    soup = BeautifulSoup(httpx.get(portal.url(path)).text, "lxml")
    body = soup.select_one("div.TRS_Editor")
    assert body is not None
    tab_lines = [ln for ln in seed_text("zhanhe-yingji-2024.txt").splitlines() if "\t" in ln]
    rows = body.find_all("tr")
    assert len(rows) == len(tab_lines)
    assert [td.get_text() for td in rows[6].find_all("td")][:2] == ["行政许可", "9"]
    assert "\xa0" in rows[0].find_all("td")[1].get_text()  # &nbsp; in empty cells
    assert "我局负责管理 15 项行政许可项目" in body.get_text()


def test_pdf_text_round_trips_through_pdfium() -> None:
    text = seed_text("jianxi-gongxin-2024.txt")
    doc = pdfium.PdfDocument(text_to_pdf(text))
    extracted = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    got = [ln.strip() for ln in extracted.replace("\r", "").splitlines() if ln.strip()]
    want = [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert got == want


def test_jianxi_article_holds_only_a_link_to_the_pdf(portal: SamplePortal) -> None:
    rep = next(r for r in SAMPLE_REPORTS if r["agency_code"] == "jianxi-gongxin" and r["year"] == 2024)
    page = BeautifulSoup(httpx.get(portal.url(rep["path"])).text, "lxml")
    assert page.find("table") is None
    link = page.select_one("#pdfCon a")
    assert link is not None and link["href"] == rep["attachment_path"]
    pdf = httpx.get(portal.url(rep["attachment_path"]))
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"


def test_synthetic_figures_balance_and_agencies_are_consistent() -> None:
    for it in ITEMS:
        if it.body[0] == "synthetic":
            assert isinstance(it.body[1], Figures)
            it.body[1].check()
    codes = {a["code"] for a in SAMPLE_AGENCIES}
    assert {r["agency_code"] for r in SAMPLE_REPORTS} - {None} == codes
    expect = {a["code"]: a["expect_2024"] for a in SAMPLE_AGENCIES}
    assert expect["zhanhe-caizheng"] == "late" and expect["shunhe-jiaoyu"] == "missing"
    assert 2024 not in next(a for a in SAMPLE_AGENCIES if a["code"] == "shunhe-jiaoyu")["published"]
    assert (
        next(a for a in SAMPLE_AGENCIES if a["code"] == "zhanhe-caizheng")["published"][2024] == "2025-02-14"
    )


def test_late_report_text_agrees_with_its_tables(portal: SamplePortal) -> None:
    rep = next(r for r in SAMPLE_REPORTS if r["agency_code"] == "zhanhe-caizheng" and r["year"] == 2024)
    soup = BeautifulSoup(httpx.get(portal.url(rep["path"])).text, "lxml")
    rows = {
        tds[0].get_text(): [td.get_text() for td in tds if td.get_text().isdigit()]
        for tds in (tr.find_all("td") for tr in soup.find_all("tr"))
        if tds
    }
    assert rows["一、本年新收政府信息公开申请数量"][-1] == "4"
    assert rows["(七) 总计"][-1] == "4" and rows["四、结转下年度继续办理"][-1] == "1"
    assert "共收到政府信息公开申请4件" in soup.get_text()
