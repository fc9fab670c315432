"""PDFs exported by WPS and Word (issue 15): unit line, page numbers, broken labels.

The layout (``replicas.flatten.wps_text``): the unit on its own line above
「2024年政府信息公开工作年度报告」, page numbers 「- 1 -」 between lines (the PDF's pages
break elsewhere), long row labels wrapped over two or three lines with the figures on the
first, middle or last of them, and the 勾稽关系 note broken across lines. The PDF is
written in the test with a text layer (``pdfgen``) and read by ``parse_document``.
"""

from __future__ import annotations

import random

import pytest

from replicas.flatten import wps_text
from replicas.samples import sample_report
from reports.form import Form
from reports.parse import parse_document, parse_text

from .helpers import all_values
from .pdfgen import text_pdf


def _read(text: str):
    return parse_document(text_pdf(text, page_numbers=False, lines_per_page=40), filename="report.pdf")


@pytest.mark.parametrize("seed", range(6))
def test_wps_layout_pdf_reads_every_figure_and_the_unit(seed: int) -> None:
    form = Form.F2021 if seed % 2 else Form.F2021_HYBRID
    truth = sample_report(random.Random(seed), form, t2_blank=0)
    text = wps_text(truth, rnd=random.Random(seed))
    lines = text.split("\n")
    assert lines[:2] == ["某某区民政局", "2024年政府信息公开工作年度报告"]
    assert "- 1 -" in lines and any(len(ln) <= 12 and not ln[-1].isdigit() for ln in lines[5:])
    r = _read(text)
    assert r.input_kind == "pdf"
    assert (r.title, r.agency, r.year, r.form) == (truth.title, "某某区民政局", 2024, form)
    assert all(s.present for s in r.sections.values())
    assert all_values(r) == all_values(truth)
    assert [p for p in r.problems if p.where.startswith(("table", "title"))] == []


def test_row_label_broken_after_its_figures_keeps_the_row() -> None:
    """「2.其他法律行政 0 0 …」 + 「法规禁止公开」: the row is neither lost nor taken for 「3.其他」."""
    truth = sample_report(random.Random(1), t2_blank=0)
    text = wps_text(truth, label_width=6, rnd=random.Random(0))
    lines = text.split("\n")
    assert "律行政法规禁" in lines or any(ln.startswith("律行政法规禁 ") for ln in lines)  # cut in three
    r = parse_text(text, input_kind="pdf")
    assert all_values(r)[1] == all_values(truth)[1]


def test_page_number_lines_are_not_figures() -> None:
    truth = sample_report(random.Random(3), t2_blank=0)
    text = wps_text(truth, lines_per_page=7)  # a page number every seven lines, inside the tables
    assert text.count("\n- ") >= 10
    r = parse_text(text, input_kind="pdf")
    assert all_values(r) == all_values(truth)
