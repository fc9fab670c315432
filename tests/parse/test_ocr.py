"""OCR inputs around the scans: verification, bounds, HTML <img>, a missing engine, broken files.

Verification is tested without the engine (cells marked as read from an OCR'd table), so
it runs everywhere; the OCR runs are marked ``ocr``.
"""

from __future__ import annotations

import io
import random
import shutil
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from replicas.scan import Spoil, balanced_report
from replicas.server import ReplicaServer, Response
from reports.form import TABLE3_COLUMNS, TABLE4_CELLS, TABLE4_GROUPS
from reports.model import Cell, ParsedReport, Source
from reports.parse import parse_document
from reports.parse.blocks import Document
from reports.parse.ocr import OcrBounds, ocr_pages
from reports.parse.ocrengine import ocr_unavailable
from reports.parse.ocrverify import REASON, verify_ocr
from scrapers.images import image_fetcher
from tests.fetching import quick_fetcher
from tests.known import known

from . import scans
from .imagegen import table_png

NOTHING_FOUND = {"proactive": False, "requests": False, "review_litigation": False}
OCR_TABLE = 7


# --- verification, on cells as if OCR had read them -------------------------------------


def _as_ocr(report: ParsedReport) -> tuple[ParsedReport, Document]:
    """A copy whose table 三/四 cells come from an OCR'd table, and the document that says so."""
    r = report.model_copy(deep=True)
    r.tables_found = {"proactive": False, "requests": True, "review_litigation": True}
    for i, cells in enumerate([*r.requests.values(), *r.review_litigation.values()]):
        for j, cell in enumerate(cells.values()):
            cell.source = Source(page=1, table=OCR_TABLE, row=i, col=j)
    return r, Document(input_kind="ocr", ocr_table_ids={OCR_TABLE}, ocr_pages=[1])


def _cells(r: ParsedReport) -> dict[tuple[str, str], int | Decimal | None]:
    out = {(row, c): r.requests[row][c].value for row in r.requests for c in TABLE3_COLUMNS}
    out.update({(g, c): r.review_litigation[g][c].value for g in TABLE4_GROUPS for c in TABLE4_CELLS})
    return out


def _set(r: ParsedReport, row: str, col: str, value: int | None) -> None:
    table = r.requests if row in r.requests else r.review_litigation
    table[row][col].value = value


def test_identities_that_hold_keep_every_figure() -> None:
    truth = balanced_report(3)
    r, doc = _as_ocr(truth)
    verify_ocr(r, doc)
    assert _cells(r) == _cells(truth)
    assert r.image_tables == {"requests": "read", "review_litigation": "read"}
    assert not [p for p in r.problems if p.reason.startswith(REASON)]


def test_one_misread_digit_blanks_that_cell_only_and_says_so() -> None:
    truth = balanced_report(3)
    r, doc = _as_ocr(truth)
    _set(r, "granted", "natural_person", known(truth.t3("granted", "natural_person")) + 6)  # 1 read as 7
    verify_ocr(r, doc)
    got, want = _cells(r), _cells(truth)
    assert got[("granted", "natural_person")] is None
    assert {k for k in got if got[k] != want[k]} == {("granted", "natural_person")}
    problem = next(p for p in r.problems if p.where == "table3.granted")
    assert problem.reason.startswith(REASON) and "自然人" in problem.reason
    assert problem.detail["ocr_values"] == {
        "natural_person": known(truth.t3("granted", "natural_person")) + 6
    }
    assert r.image_tables["requests"] == "partial"


def test_a_wrong_total_that_still_balances_its_row_is_not_accepted() -> None:
    """1 read as 7 twice in one row (a figure and its total): the row holds, the columns do not."""
    truth = balanced_report(3)
    r, doc = _as_ocr(truth)
    for col in ("natural_person", "total"):
        _set(r, "granted", col, known(truth.t3("granted", col)) + 6)
    verify_ocr(r, doc)
    got = _cells(r)
    assert got[("granted", "natural_person")] is None and got[("granted", "total")] is None


def test_table_four_group_that_does_not_add_up_is_blank() -> None:
    truth = balanced_report(3)
    r, doc = _as_ocr(truth)
    _set(r, "review", "upheld", known(truth.t4("review", "upheld")) + 1)
    verify_ocr(r, doc)
    assert [r.review_litigation["review"][c].value for c in TABLE4_CELLS] == [None] * 5
    assert [r.review_litigation["suit_direct"][c].value for c in TABLE4_CELLS] == [
        truth.review_litigation["suit_direct"][c].value for c in TABLE4_CELLS
    ]
    assert any(p.where == "table4.review" and p.reason.startswith(REASON) for p in r.problems)


def test_nothing_verified_means_the_table_was_seen_but_not_read() -> None:
    r, doc = _as_ocr(balanced_report(3))
    for row in r.review_litigation.values():
        for cell in row.values():
            cell.value = None
    for g in TABLE4_GROUPS:
        _set(r, g, "upheld", 5)  # every group off by its own upheld figure: nothing to confirm
    verify_ocr(r, doc)
    assert r.tables_found["review_litigation"] is False
    assert r.image_tables["review_litigation"] == "unread"


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 50),
    picks=st.lists(
        st.tuples(st.integers(0, 27), st.integers(0, 6), st.integers(1, 900)), min_size=1, max_size=2
    ),
)
def test_one_or_two_misread_cells_are_never_accepted(seed: int, picks: list[tuple[int, int, int]]) -> None:
    """Whatever one or two cells OCR gets wrong (by any amount), no wrong figure survives verification."""
    truth = balanced_report(seed)
    r, doc = _as_ocr(truth)
    rows = [*r.requests, *r.review_litigation]
    for ri, ci, delta in picks:
        row = rows[ri % len(rows)]
        cols = TABLE3_COLUMNS if row in r.requests else TABLE4_CELLS
        col = cols[ci % len(cols)]
        old = r.t3(row, col) if row in r.requests else r.t4(row, col)
        _set(r, row, col, known(old) + delta)
    verify_ocr(r, doc)
    want = _cells(truth)
    assert all(v is None or v == want[k] for k, v in _cells(r).items())


# --- a missing engine, broken files, sniffing ---------------------------------------------


def _no_tesseract(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # the shutil ocrengine asks
    ocr_unavailable.cache_clear()


@pytest.fixture
def without_engine(monkeypatch):
    import reports.parse.ocrengine as engine

    _no_tesseract(monkeypatch)
    yield
    engine.ocr_unavailable.cache_clear()


def test_missing_tesseract_image_and_scan_pdf_are_unreadable(without_engine) -> None:
    page = scans.pages(Spoil(dpi=150))[1]
    for data, name in ((page, "t.jpg"), (scans.scanned_pdf(Spoil(dpi=150)), "scan.pdf")):
        r = parse_document(data, filename=name)
        assert r.tables_found == NOTHING_FOUND
        assert r.images_only
        assert "不可机读：未安装 tesseract（OCR），无法识别图片中的文字" in [p.reason for p in r.problems]


def test_missing_tesseract_html_images_are_said_unreadable(without_engine) -> None:
    page = "<html><body><h1>某县2024年政府信息公开工作年度报告</h1><p><img src='/a/1.png'></p></body></html>"
    asked: list[str] = []

    def fetch(url: str) -> None:
        asked.append(url)

    r = parse_document(page.encode(), fetch_image=fetch, base_url="http://x.gov.cn/")
    assert asked == []  # nothing fetched for an engine that is not there
    assert r.images_only and r.tables_found == NOTHING_FOUND
    assert any(p.reason.startswith("不可机读：未安装 tesseract") for p in r.problems)


def test_html_page_of_images_without_a_fetcher_is_not_machine_readable() -> None:
    page = (
        "<html><body><h1>某县人民政府办公室2024年政府信息公开工作年度报告</h1>"
        "<p><img src='/a/1.png'></p><p><img src='/a/2.png'></p><p><img src='/a/3.png'></p></body></html>"
    )
    r = parse_document(page.encode(), filename="index.html")
    assert r.images_only
    assert r.tables_found == NOTHING_FOUND
    assert any(p.reason.startswith("不可机读：表格只以图片形式出现（共 3 张图片）") for p in r.problems)


def test_broken_image() -> None:
    r = parse_document(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, filename="x.png")
    assert r.tables_found == NOTHING_FOUND
    assert any(p.reason.startswith("不可机读：") for p in r.problems)


@pytest.mark.parametrize("fmt,kind", [("GIF", "gif"), ("TIFF", "tiff"), ("BMP", "bmp"), ("WEBP", "webp")])
def test_fetcher_and_parser_know_every_image_kind(fmt: str, kind: str) -> None:
    """A GIF or TIFF attachment was taken for text by the fetcher (and refused as a fake file)."""
    from reports.parse.sniff import image_format, sniff
    from scrapers.documents import DOCUMENT_EXTS, FILE_KINDS

    buf = io.BytesIO()
    Image.new("L", (40, 20), 255).save(buf, format=fmt)
    assert sniff(buf.getvalue()) == "image" and image_format(buf.getvalue()) == kind
    assert "image" in FILE_KINDS  # the fetcher's one sniffer: a file, not a fake one
    assert f".{kind.replace('tiff', 'tif')}" in DOCUMENT_EXTS


def test_text_starting_with_bm_is_not_a_bmp() -> None:
    from reports.parse.sniff import sniff

    assert sniff("BMW 年度报告\n一、总体情况".encode()) == "text"


# --- bounds ---------------------------------------------------------------------------------


def _arrays(n: int) -> list:
    import numpy as np

    return [np.asarray(Image.open(io.BytesIO(p)).convert("RGB")) for p in scans.pages(Spoil(dpi=150))[:n]]


@pytest.mark.ocr
def test_at_most_n_pages_are_read_and_the_rest_is_recorded(monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_OCR_MAX_PAGES", "1")
    r = parse_document(scans.scanned_pdf(Spoil(dpi=150)), filename="scan.pdf")
    if ocr_unavailable():
        assert r.tables_found == NOTHING_FOUND
        return
    note = next(p for p in r.problems if "其余页未读取" in p.reason)
    assert note.detail == {"pages": 3, "read": 1, "limit": 1}
    # table 四 and the end of table 三 are on page 2: not read, so no figure of theirs
    assert all(c.value is None for c in r.review_litigation["review"].values())
    assert all(c.value is None for c in r.requests["carried_forward"].values())


@pytest.mark.ocr
def test_a_page_over_its_time_budget_is_recorded_as_not_read() -> None:
    doc, problems = ocr_pages(_arrays(1), 1, OcrBounds(max_pages=12, page_seconds=0.01))
    if ocr_unavailable():
        assert doc is None
        return
    assert doc is None
    assert any(p.where == "document.page1" and "时间预算" in p.reason for p in problems)


# --- HTML reports whose tables are <img> ------------------------------------------------------


def _image_article(srcs: list[str]) -> bytes:
    imgs = "".join(f'<p><img src="{s}" alt="年报"></p>' for s in srcs)
    return (
        '<html><head><meta charset="utf-8"><title>湛河区曹镇乡人民政府2024年政府信息公开工作年度报告</title></head>'
        f'<body><div class="nav">首页</div><div class="article"><h1>湛河区曹镇乡人民政府2024年政府信息公开工作年度报告</h1>'
        f'<div class="content">{imgs}</div></div><div class="footer">主办单位</div></body></html>'
    ).encode()


@pytest.mark.ocr
def test_html_report_whose_pages_are_images_is_read_through_the_fetcher() -> None:
    page_imgs = scans.pages(Spoil(dpi=150, speckle=600))
    routes = {f"/img/p{i}.jpg": Response(body=b, content_type="image/jpeg") for i, b in enumerate(page_imgs)}
    routes["/icon.png"] = Response(body=_png(40, 40), content_type="image/png")
    with ReplicaServer(routes) as site, quick_fetcher() as fetcher:
        html = _image_article(
            ["/icon.png", *[f"/img/p{i}.jpg" for i in range(len(page_imgs))], "http://evil.example/x.jpg"]
        )
        article = site.url("/zwgk/2025/art1.html")
        r = parse_document(
            html,
            filename=article,
            fetch_image=image_fetcher(fetcher, ["127.0.0.1"], article),
            base_url=article,
        )
        asked = [q.path for q in site.requests]
    assert "/img/p0.jpg" in asked and "/img/p2.jpg" in asked
    assert any(
        p.reason == "正文中的图片无法获取，未识别" and "evil.example" in p.detail["url"] for p in r.problems
    )
    if _engine_absent(r):
        return
    assert r.input_kind == "html"
    assert r.title == scans.truth().title
    right, wrong, blank = scans.score(r)
    assert wrong == 0 and right >= 0.95 * (right + wrong + blank), (right, wrong, blank)
    assert r.image_tables["requests"] in ("read", "partial")


def _engine_absent(r) -> bool:
    if not ocr_unavailable():
        return False
    assert any(p.reason.startswith("不可机读：") for p in r.problems)
    return True


def _png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (w, h), 200).save(buf, format="PNG")
    return buf.getvalue()


# --- a table printed without ruling lines ------------------------------------------------------


@pytest.mark.ocr
def test_unruled_table_columns_come_from_the_figures_x_positions() -> None:
    truth = balanced_report(5)
    rows = [[truth.title or ""], ["三、收到和处理政府信息公开申请情况"]]
    rows.append(["申请人情况", "自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"])
    rnd = random.Random(1)
    for spec_key, cells in truth.requests.items():
        label = {
            "new": "一、本年新收政府信息公开申请数量",
            "carried_over": "二、上年结转政府信息公开申请数量",
        }.get(spec_key)
        if label is None:
            continue
        vals = [str(cells[c].value) for c in TABLE3_COLUMNS]
        if rnd.random() < 0.5:
            vals[2] = ""  # a blank cell keeps its column
        rows.append([label, *vals])
    r = parse_document(table_png(rows, size=30, label_width=700, col_width=130), filename="t3.png")
    if _engine_absent(r):
        return
    for key in ("new", "carried_over"):
        got = [r.requests[key][c].value for c in TABLE3_COLUMNS]
        want = [truth.requests[key][c].value for c in TABLE3_COLUMNS]
        assert all(g is None or g == w for g, w in zip(got, want, strict=True)), (key, got, want)
    assert r.image_tables.get("requests") in ("partial", "unread")  # no column identity can be checked


def test_ocr_cells_keep_their_source(tmp_path) -> None:
    """Provenance of a verified cell: page, rebuilt table, row and column of the image."""
    r, doc = _as_ocr(balanced_report(2))
    verify_ocr(r, doc)
    cell: Cell = r.requests["new"]["total"]
    assert cell.source is not None and cell.source.page == 1 and cell.source.table == OCR_TABLE
    assert cell.source.note == "ocr" and cell.source.inferred
