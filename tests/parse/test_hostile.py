"""Hostile input never raises: it yields a ParsedReport with a precise Chinese problem."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from reports.model import ParsedReport
from reports.parse import parse_document, parse_path, parse_text

from .helpers import all_values, seed_text
from .pdfgen import text_pdf

NOTHING_FOUND = {"proactive": False, "requests": False, "review_litigation": False}


def _doc_reasons(r: ParsedReport) -> list[str]:
    return [p.reason for p in r.problems if p.where == "document"]


def test_empty_bytes() -> None:
    for data in (b"", b"   \n\t  "):
        r = parse_document(data, filename="report.pdf")
        assert r.tables_found == NOTHING_FOUND
        assert _doc_reasons(r) == ["文件为空（0 字节或只有空白）"]


def test_truncated_pdf() -> None:
    data = text_pdf(seed_text("jianxi-gongxin-2024"))
    r = parse_document(data[: len(data) // 3], filename="report.pdf")
    assert r.tables_found == NOTHING_FOUND
    assert _doc_reasons(r) == ["PDF 文件损坏，无法读取文本层"]
    assert r.problems[0].detail["size"] == len(data) // 3


def test_pdf_header_only() -> None:
    r = parse_document(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert r.input_kind == "pdf"
    assert _doc_reasons(r) == ["PDF 文件损坏，无法读取文本层"]


def test_pdf_without_text_layer() -> None:
    r = parse_document(text_pdf("", page_numbers=False))
    assert r.tables_found == NOTHING_FOUND
    assert any("没有文本层" in reason for reason in _doc_reasons(r))


def test_html_error_page_served_as_pdf() -> None:
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>提示信息</title></head>"
        "<body><div class='main'><h2>文件不存在</h2><p>您访问的文件不存在或已被删除。</p>"
        "<a href='/'>返回首页</a></div></body></html>"
    ).encode()
    r = parse_document(page, content_type="application/pdf", filename="P020250120123456.pdf")
    assert r.input_kind == "html"
    assert r.tables_found == NOTHING_FOUND
    reasons = _doc_reasons(r)
    assert "文件声称是PDF，实际内容是HTML 网页" in reasons
    assert "网页是错误提示页（如「文件不存在」），不是年度报告正文" in reasons
    assert {p.where for p in r.problems} >= {"table2", "table3", "table4"}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("name", ["zhanhe-yingji-2024", "shunhe-shenpi-2024", "jianxi-gongxin-2024"])
def test_encodings_give_the_same_cells(name: str, encoding: str) -> None:
    text = seed_text(name)
    ref = parse_text(text)
    r = parse_document(text.encode(encoding), filename=f"{name}.txt")
    assert (r.title, r.agency, r.year) == (ref.title, ref.agency, ref.year)
    assert all_values(r) == all_values(ref)
    assert r.tables_found == ref.tables_found


def test_crlf_line_endings() -> None:
    text = seed_text("zhanhe-yingji-2024")
    r = parse_document(text.replace("\n", "\r\n").encode("utf-8"))
    assert all_values(r) == all_values(parse_text(text))


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes(seed: int) -> None:
    data = random.Random(seed).randbytes(4096)
    r = parse_document(data, filename="x.bin")
    assert isinstance(r, ParsedReport)
    assert r.tables_found == NOTHING_FOUND
    assert r.problems and all(p.reason for p in r.problems)


def test_random_bytes_after_pdf_magic() -> None:
    data = b"%PDF-1.4\n" + random.Random(1).randbytes(3000)
    r = parse_document(data)
    assert _doc_reasons(r) == ["PDF 文件损坏，无法读取文本层"]


def test_zip_that_is_not_word() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    r = parse_document(buf.getvalue(), filename="report.docx")
    assert r.tables_found == NOTHING_FOUND
    assert any("压缩文件" in reason for reason in _doc_reasons(r))


def test_broken_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<not xml")
    r = parse_document(buf.getvalue(), filename="report.docx")
    assert _doc_reasons(r) == ["Word 文件损坏，无法读取"]


def test_plain_text_that_is_not_a_report() -> None:
    r = parse_text("今天天气很好。\n明天也是。")
    assert r.tables_found == NOTHING_FOUND
    assert r.title is None
    wheres = {p.where for p in r.problems}
    assert {"title", "sections", "table2", "table3", "table4"} <= wheres


def test_parse_path_missing_file(tmp_path) -> None:
    r = parse_path(tmp_path / "nope.pdf")
    assert _doc_reasons(r) == ["无法读取文件"]


def test_parse_path_reads_a_seed(tmp_path) -> None:
    p = tmp_path / "jianxi.pdf"
    p.write_bytes(text_pdf(seed_text("jianxi-gongxin-2024")))
    r = parse_path(p)
    assert r.input_kind == "pdf" and r.agency == "涧西区工业和信息化局"


def test_table_rows_with_placeholders_stay_blank() -> None:
    """「/」「—」「无」 and empty cells are blank, never 0."""
    text = seed_text("zhanhe-yingji-2024")
    text = text.replace("行政强制\t0\t\t", "行政强制\t/\t\t").replace(
        "行政事业性收费\t0\t\t", "行政事业性收费\t—\t\t"
    )
    text = text.replace("2. 重复申请\t0\t0\t0\t0\t0\t0\t0", "2. 重复申请\t无\t\t0\t0\t0\t0\t0")
    r = parse_text(text)
    assert r.t2("coercion", "decisions") is None
    assert r.proactive["coercion"]["decisions"].raw == "/"
    assert r.t2("fees", "amount_wan_yuan") is None
    assert [c.value for c in r.requests["unprocessed_repeat"].values()] == [None, None, 0, 0, 0, 0, 0]


def test_missing_table2_rows_are_blank_with_problems() -> None:
    text = (
        seed_text("shunhe-shenpi-2024")
        .replace("行政强制\t0\t\t\n", "")
        .replace("行政事业性收费\t0\t\t\n", "")
    )
    r = parse_text(text)
    assert r.t2("coercion", "decisions") is None
    assert r.t2("fees", "amount_wan_yuan") is None
    assert r.t2("penalty", "decisions") == 0
    wheres = {p.where: p.reason for p in r.problems}
    assert wheres["table2.coercion"] == "表二中未找到「行政强制」行，该行单元格留空"
    assert wheres["table2.fees"] == "表二中未找到「行政事业性收费」行，该行单元格留空"
