"""PDF input: a seed written to a PDF parses to the same cells as the text seed."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from reports.form import Form
from reports.parse import parse_document, parse_text
from tests.known import known

from .helpers import all_values, seed_text
from .pdfgen import text_pdf


def test_pdf_writer_keeps_chinese_text() -> None:
    data = text_pdf("涧西区工业和信息化局2024年政府信息公开工作年\n度报告\n危及“三安全一稳定”（一）")
    pdf = pdfium.PdfDocument(data)
    text = pdf[0].get_textpage().get_text_range()
    assert "涧西区工业和信息化局2024年政府信息公开工作年" in text
    assert "危及“三安全一稳定”（一）" in text


@pytest.mark.parametrize("name", ["jianxi-gongxin-2024", "shunhe-shenpi-2024", "zhanhe-yingji-2024"])
def test_seed_as_pdf_same_cells(name: str) -> None:
    text = seed_text(name)
    ref = parse_text(text)
    r = parse_document(text_pdf(text), filename=f"{name}.pdf")
    assert r.input_kind == "pdf"
    assert (r.title, r.agency, r.year, r.form) == (ref.title, ref.agency, 2024, Form.F2021)
    assert all(s.present for s in r.sections.values())
    assert r.tables_found == {"proactive": True, "requests": True, "review_litigation": True}
    assert all_values(r) == all_values(ref)
    assert [p for p in r.problems if p.where.startswith(("table", "document"))] == []


def test_pdf_cells_carry_page_numbers() -> None:
    text = seed_text("jianxi-gongxin-2024")
    r = parse_document(text_pdf(text, lines_per_page=50))
    # Line 99 of the seed (一、本年新收…) is the 49th line of page 2.
    new_total = r.requests["new"]["total"]
    assert known(new_total.source).page == 2
    assert known(r.review_litigation["review"]["upheld"].source).page == 5
    assert known(r.proactive["licensing"]["decisions"].source).page == 2
    assert known(r.proactive["regulations"]["issued"].source).page == 1


def test_yingji_pdf_keeps_licensing_nine() -> None:
    r = parse_document(text_pdf(seed_text("zhanhe-yingji-2024")))
    assert r.t2("licensing", "decisions") == 9
    assert r.t2("penalty", "decisions") == 6
