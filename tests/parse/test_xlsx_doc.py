"""Excel (.xlsx) tables and old Word (.doc) via antiword."""

from __future__ import annotations

import io
import shutil

import openpyxl

from reports.parse import parse_document, parse_text
from reports.parse.doc import NO_ANTIWORD, NO_DOC_TOOLS, pipes_to_tabs
from tests.known import known

from .helpers import all_values, seed_text

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xlsx_from_tsv(text: str) -> bytes:
    """Each line a sheet row; tab-separated cells, figures stored as numbers like Excel does."""
    wb = openpyxl.Workbook()
    ws = known(wb.active)
    for line in text.split("\n"):
        ws.append([int(c) if c.strip().isdigit() else c for c in line.split("\t")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_gives_the_same_cells_as_the_copy_out() -> None:
    text = seed_text("zhanhe-yingji-2024")
    r = parse_document(_xlsx_from_tsv(text), filename="report.xlsx")
    ref = parse_text(text)
    assert r.input_kind == "xlsx"
    assert r.tables_found == ref.tables_found == {k: True for k in ref.tables_found}
    assert all_values(r) == all_values(ref)
    assert r.t2("licensing", "decisions") == 9
    cell = r.proactive["licensing"]["decisions"]
    assert cell.source is not None and cell.source.table == 0 and cell.source.row is not None


def test_broken_xlsx() -> None:
    data = _xlsx_from_tsv("a\t1")
    r = parse_document(data[: len(data) // 2], filename="x.xlsx")
    assert not any(r.tables_found.values())
    assert r.problems and all(p.reason for p in r.problems)


def test_old_excel_is_a_clear_problem() -> None:
    data = OLE + b"\x00" * 512 + "Workbook".encode("utf-16-le") + b"\x00" * 512
    r = parse_document(data, filename="report.xls")
    assert r.input_kind == "xls"
    assert [p.reason for p in r.problems] == ["旧版 Excel（.xls）文件损坏或无法读取"]


def test_antiword_table_rows_become_cells() -> None:
    out = "三、收到和处理政府信息公开申请情况\n|一、本年新收政府信息公开申请数量|3  |0 |0 |0 |0 |0 |3  |\n正文。"
    assert pipes_to_tabs(out).split("\n")[1] == "一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3"


def test_doc_without_antiword_is_a_clear_problem(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # the shutil reports.parse.doc asks
    data = OLE + b"\x00" * 512 + "WordDocument".encode("utf-16-le") + b"\x00" * 512
    r = parse_document(data, filename="report.doc")
    assert r.input_kind == "doc"
    assert [p.reason for p in r.problems] == [NO_DOC_TOOLS]


def test_broken_doc_is_a_clear_problem() -> None:
    data = OLE + b"\x00" * 512 + "WordDocument".encode("utf-16-le") + b"\x00" * 512
    r = parse_document(data, filename="report.doc")
    reasons = [p.reason for p in r.problems]
    if shutil.which("antiword") is None:
        assert reasons == [NO_ANTIWORD]
    else:
        assert reasons == ["旧版 Word（.doc）文件损坏或无法读取"]
