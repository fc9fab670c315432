"""Word (.docx) input: paragraphs and tables with merged cells, as agencies attach them."""

from __future__ import annotations

import io
from decimal import Decimal

import docx

from reports.form import SECTION_KEYS, SECTION_LABELS, TABLE3_COLUMNS, TABLE4_CELLS, TABLE4_GROUPS, Form
from reports.layout import RCell, table2_rows_model, table3_rows_model, table4_rows_model
from reports.model import Cell, ParsedReport, Section
from reports.parse import parse_document
from tests.known import known

from .helpers import all_values


def _place(rows: list[list[RCell]]) -> tuple[dict[tuple[int, int], RCell], int]:
    taken: set[tuple[int, int]] = set()
    origin: dict[tuple[int, int], RCell] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            origin[(r, c)] = cell
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return origin, width


def _word_table(d: docx.document.Document, rows: list[list[RCell]]) -> None:
    origin, width = _place(rows)
    t = d.add_table(rows=len(rows), cols=width)
    for (r, c), cell in origin.items():
        target = t.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        target.text = cell.text


def _report() -> ParsedReport:
    r = ParsedReport(form=Form.F2021, title="某某街道办事处2024年政府信息公开工作年度报告")
    r.sections = {k: Section(present=True, heading=SECTION_LABELS[k], text="正文。") for k in SECTION_KEYS}
    n = 1
    for cells in r.proactive.values():
        for c in cells:
            cells[c] = Cell(value=n)
            n += 1
    r.proactive["fees"]["amount_wan_yuan"] = Cell(value=Decimal("3.75"))
    r.proactive["coercion"]["decisions"] = Cell(value=None)
    for i, row in enumerate(r.requests):
        vals = [i + 1, i + 2, None, 0, i * 3, 1]
        for c, v in zip(TABLE3_COLUMNS, [*vals, sum(x or 0 for x in vals)], strict=True):
            r.requests[row][c] = Cell(value=v)
    for gi, g in enumerate(TABLE4_GROUPS):
        for ci, c in enumerate(TABLE4_CELLS):
            r.review_litigation[g][c] = Cell(value=gi * 10 + ci)
    return r


def test_docx_with_merged_cells() -> None:
    src = _report()
    d = docx.Document()
    d.add_paragraph(known(src.title))
    tables = {
        "proactive": table2_rows_model(src),
        "requests": table3_rows_model(src),
        "review_litigation": table4_rows_model(src),
    }
    for key in SECTION_KEYS:
        d.add_paragraph(SECTION_LABELS[key])
        if key in tables:
            _word_table(d, tables[key])
        else:
            d.add_paragraph("正文。")
    buf = io.BytesIO()
    d.save(buf)
    r = parse_document(buf.getvalue(), filename="report.docx")
    assert r.input_kind == "docx"
    assert (r.agency, r.year, r.form) == ("某某街道办事处", 2024, Form.F2021)
    assert all(s.present for s in r.sections.values())
    assert all_values(r) == all_values(src)
    assert known(r.requests["new"]["natural_person"].source).table == 1
    assert known(r.review_litigation["review"]["upheld"].source).table == 2
    assert [p for p in r.problems if p.where.startswith("table")] == []
