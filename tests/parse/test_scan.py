"""Scanned reports: table cells read from the page image by position, trusted only when verified.

The scans are our own report, printed with ruled tables (replicas.pdf.report_pdf) and
spoilt like an office scan (replicas.scan). Where tesseract or its chi_sim data is
missing, the same inputs must give the 「不可机读」 result — never a crash, never a skip
that hides the feature. The OCR runs are marked ``ocr`` (select with ``-m ocr``).
"""

from __future__ import annotations

import pytest

from replicas.scan import Spoil
from reports.checks import run_checks
from reports.form import TABLE3_COLUMNS
from reports.parse.ocrengine import ocr_unavailable
from reports.parse.ocrverify import REASON

from . import scans

pytestmark = pytest.mark.ocr
NOTHING_FOUND = {"proactive": False, "requests": False, "review_litigation": False}


def _unreadable_without_engine(r) -> bool:
    """On a machine without the engine: the honest 「不可机读」 result, and the test ends there."""
    if not ocr_unavailable():
        return False
    assert r.tables_found == NOTHING_FOUND
    assert r.images_only
    assert any(p.reason.startswith("不可机读：") and "tesseract" in p.reason for p in r.problems)
    return True


def _tables_messages(r) -> list[str]:
    return [f.message for f in run_checks(r) if f.rule == "TABLES"]


def test_office_scan_reads_tables_three_and_four_and_never_a_wrong_figure() -> None:
    r = scans.parsed("office-pdf")
    if _unreadable_without_engine(r):
        return
    right, wrong, blank = scans.score(r)
    assert wrong == 0
    assert right >= 0.99 * (right + wrong + blank), (right, wrong, blank)
    assert r.input_kind == "ocr"
    # every figure kept is marked as OCR'd, and every blank one is explained
    for t, row, col, v in scans.t3_t4_cells(r):
        cell = getattr(r, t)[row][col]
        if v is not None:
            assert cell.source is not None and cell.source.note == "ocr" and cell.source.inferred
    if blank:
        assert any(p.reason.startswith(REASON) for p in r.problems)


def test_office_scan_gives_title_unit_and_year_from_the_ocr_text() -> None:
    r = scans.parsed("office-pdf")
    if _unreadable_without_engine(r):
        return
    truth = scans.truth()
    assert r.title == truth.title
    assert r.year == 2024
    assert r.agency == truth.agency
    assert r.period and "2024年1月1日" in r.period
    assert all(r.sections[k].present for k in ("overview", "proactive", "requests", "review_litigation"))


def test_table_three_continued_on_the_next_page_is_read_from_both_pages() -> None:
    r = scans.parsed("office-pdf")
    if _unreadable_without_engine(r):
        return
    truth = scans.truth()
    first = r.requests["new"]["total"]  # page 1
    last = r.requests["carried_forward"]["total"]  # page 2
    assert first.source is not None and first.source.page == 1
    assert last.source is not None and last.source.page == 2
    assert first.value == truth.requests["new"]["total"].value
    assert last.value == truth.requests["carried_forward"]["total"].value


def test_table_two_has_no_identity_so_its_ocr_figures_stay_blank_with_the_reason() -> None:
    """The issue's wrong 行政处罚 figure: table 二 cannot be verified, so nothing of it is trusted."""
    r = scans.parsed("office-pdf")
    if _unreadable_without_engine(r):
        return
    assert all(cell.value is None for row in r.proactive.values() for cell in row.values())
    penalty = next(p for p in r.problems if p.where == "table2.penalty")
    assert penalty.reason.startswith(REASON)
    # what OCR saw is kept for the person who checks the image
    assert penalty.detail["ocr_values"]["decisions"] == scans.truth().proactive["penalty"]["decisions"].value


def test_tables_check_speaks_of_an_image_never_of_a_missing_table() -> None:
    r = scans.parsed("office-pdf")
    if _unreadable_without_engine(r):
        return
    messages = _tables_messages(r)
    assert not any(m.startswith("未找到") for m in messages), messages
    assert any(m.startswith("表二为图片，识别不完整") for m in messages), messages
    assert r.image_tables["requests"] in ("read", "partial")
    if r.image_tables["requests"] == "partial":
        assert any(m.startswith("表三为图片，识别不完整") for m in messages)


def test_300_dpi_multipage_tiff_turned_one_degree_the_other_way() -> None:
    r = scans.parsed("tiff-300-rot")
    if _unreadable_without_engine(r):
        return
    right, wrong, blank = scans.score(r)
    assert wrong == 0
    assert right >= 0.97 * (right + wrong + blank), (right, wrong, blank)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "PNG"])
def test_every_image_kind_reaches_ocr(fmt: str) -> None:
    """Page 2 (the end of table 三 and table 四) as a 150-dpi image file of each kind."""
    from reports.parse import parse_document

    page = scans.pages(Spoil(dpi=150, jpeg=None, speckle=600))[1]
    r = parse_document(scans.as_format(page, fmt), filename=f"scan.{fmt.lower()}")
    if _unreadable_without_engine(r):
        return
    assert r.input_kind == "ocr"
    truth = scans.truth()
    got = [
        r.review_litigation["review"][c].value for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    want = [
        truth.review_litigation["review"][c].value
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert got in (want, [None] * 5)
    kept = [(row, c) for row in r.requests for c in TABLE3_COLUMNS if r.requests[row][c].value is not None]
    assert kept, "the end of table 三 is on this page"
    assert all(r.requests[row][c].value == truth.requests[row][c].value for row, c in kept)


def test_low_contrast_photo_is_honestly_unreadable() -> None:
    r = scans.parsed("photo")
    if _unreadable_without_engine(r):
        return
    _right, wrong, _blank = scans.score(r)
    assert wrong == 0
    messages = _tables_messages(r)
    assert messages, "a photo whose tables cannot be read is said to be so"
    assert not any(m.startswith("未找到") for m in messages), messages
    assert all("图片" in m for m in messages)
