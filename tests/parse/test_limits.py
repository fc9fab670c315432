"""Hostile documents: refused or cut with a clear problem, in bounded time and memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import openpyxl

from reports.model import ParsedReport
from reports.parse import parse_document
from reports.parse.limits import MAX_HTML_BYTES, MAX_TABLE_COLS, MAX_TABLE_ROWS
from tests.known import known

NOTHING_FOUND = {"proactive": False, "requests": False, "review_litigation": False}
SECRET = "TOP-SECRET-3f9a1c-本地文件内容"


def _reasons(r: ParsedReport) -> list[str]:
    return [p.reason for p in r.problems if p.where == "document"]


def _bomb_member(zf: zipfile.ZipFile, name: str, size: int) -> None:
    """Stream ``size`` bytes of one repeated byte into a member (compresses ~1000:1)."""
    chunk = b" " * (1024 * 1024)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as fh:
        for _ in range(size // len(chunk)):
            fh.write(chunk)


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def test_10mb_html_table_is_refused_fast() -> None:
    row = "<tr><td>行政许可</td><td>1</td><td>2</td><td>3</td></tr>"
    html = (
        "<html><body><h2>二、主动公开政府信息情况</h2><table>" + row * 200_000 + "</table></body></html>"
    ).encode()
    assert len(html) > 10 * 1024 * 1024
    r = parse_document(html, filename="big.html")
    assert r.tables_found == NOTHING_FOUND
    assert _reasons(r) == [f"网页过大（{len(html) / 1024 / 1024:.1f} MB，上限 2.0 MB），未解析"]
    assert r.problems[0].detail == {"size": len(html), "limit": MAX_HTML_BYTES}


def test_html_table_rows_are_capped() -> None:
    row = "<tr><td>其他</td><td>1</td></tr>"
    html = f"<html><body><h2>年度报告</h2><table>{row * (MAX_TABLE_ROWS + 300)}</table></body></html>"
    r = parse_document(html.encode())
    assert f"网页表格行数过多（超过 {MAX_TABLE_ROWS} 行），只读取了前 {MAX_TABLE_ROWS} 行" in _reasons(r)
    assert sum(1 for ln in r.text.split("\n") if ln.startswith("其他")) == MAX_TABLE_ROWS


def test_html_absurd_spans_stay_bounded() -> None:
    cells = "<td rowspan='200' colspan='200'>1</td>" * 300
    html = f"<html><body><table>{'<tr>' + cells + '</tr>'}{'<tr><td>x</td></tr>' * 300}</table></body></html>"
    r = parse_document(html.encode())
    assert isinstance(r, ParsedReport)
    widest = max(len(ln.split("\t")) for ln in r.text.split("\n"))
    assert widest <= MAX_TABLE_COLS


def test_docx_zip_bomb_is_refused_before_reading() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        _bomb_member(zf, "word/document.xml", 200 * 1024 * 1024)
    data = buf.getvalue()
    assert len(data) < 2 * 1024 * 1024
    r = parse_document(data, filename="bomb.docx")
    assert r.input_kind == "docx"
    assert r.tables_found == NOTHING_FOUND
    (reason,) = _reasons(r)
    assert reason.startswith("Word（.docx）文件解压后过大（200.0 MB，上限 64.0 MB）")
    assert "压缩炸弹" in reason


def test_xlsx_zip_bomb_is_refused_before_reading() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        _bomb_member(zf, "xl/worksheets/sheet1.xml", 8 * 1024 * 1024)  # small total, absurd ratio
    r = parse_document(buf.getvalue(), filename="bomb.xlsx")
    assert r.input_kind == "xlsx"
    (reason,) = _reasons(r)
    assert "疑似压缩炸弹" in reason
    assert r.problems[0].detail["suspect"] == ["xl/worksheets/sheet1.xml"]


def _xxe_docx(secret_path: Path) -> bytes:
    d = docx.Document()
    d.add_paragraph("某县人民政府办公室2024年政府信息公开工作年度报告")
    d.add_paragraph("XXEPLACEHOLDER")
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    head, _, body = xml.partition("?>")
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret_path}">]>'
    xml = head + "?>" + doctype + body.replace("XXEPLACEHOLDER", "&xxe;")
    return _rezip(buf.getvalue(), {"word/document.xml": xml.encode("utf-8")})


def test_docx_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    data = _xxe_docx(secret)
    r = parse_document(data, filename="xxe.docx")
    assert SECRET not in r.model_dump_json()
    assert _reasons(r) == ["Word（.docx）文件的 XML 部件含有 DOCTYPE/实体声明，疑似恶意构造，未解析"]
    # defence in depth: python-docx's own lxml parser must not resolve it either
    try:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    except Exception:  # refusing to parse is fine too
        text = ""
    assert SECRET not in text


def test_xlsx_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    wb = openpyxl.Workbook()
    known(wb.active).append(["XXEPLACEHOLDER", 1])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        names = zf.namelist()
        target = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else "xl/worksheets/sheet1.xml"
        xml = zf.read(target).decode("utf-8")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    root = xml.index("<", xml.index("?>") if "?>" in xml else 0)
    xml = xml[:root] + doctype + xml[root:].replace("XXEPLACEHOLDER", "&xxe;")
    data = _rezip(buf.getvalue(), {target: xml.encode("utf-8")})
    r = parse_document(data, filename="xxe.xlsx")
    assert SECRET not in r.model_dump_json()
    assert any("DOCTYPE" in x for x in _reasons(r))


def test_oversized_input_is_refused_without_parsing() -> None:
    data = b"%PDF-1.7\n" + b"0" * (65 * 1024 * 1024)
    r = parse_document(data, filename="huge.pdf")
    assert _reasons(r) == [f"文件过大（{len(data) / 1024 / 1024:.1f} MB，上限 64.0 MB），未解析"]
