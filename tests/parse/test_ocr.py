"""OCR of a table image: figures are accepted only when their own totals add up.

When tesseract or its chi_sim data is missing, the same inputs must give the
「不可机读：…」 result with no table found — never a crash, never a skip.
"""

from __future__ import annotations

import io
import random

from PIL import Image

from reports.form import TABLE3_COLUMNS, TABLE4_CELLS, Form, table3_rows
from reports.parse import parse_document
from reports.parse.ocr import ocr_unavailable

from .imagegen import table_png

TITLE = "湛河区工信局2024年政府信息公开工作年度报告"
NOTHING_FOUND = {"proactive": False, "requests": False, "review_litigation": False}


def _label(spec_label: str) -> str:
    """The row label as printed in a real table (「1. 属于国家秘密」, 「(一) 予以公开」)."""
    head, _, rest = spec_label.partition(" ")
    if head.startswith("三(") and head[-1].isdigit():
        return f"{head[-1]}. {rest}"
    if head.startswith("三("):
        return f"{head[1:]} {rest}"
    return spec_label


def _truth() -> tuple[dict[str, list[int]], list[int]]:
    rnd = random.Random(7)
    t3: dict[str, list[int]] = {}
    for spec in table3_rows(Form.F2021):
        v = [rnd.randint(0, 40) for _ in range(6)]
        t3[spec.key] = [*v, sum(v)]
    t4: list[int] = []
    for _ in range(3):
        v = [rnd.randint(0, 9) for _ in range(4)]
        t4 += [*v, sum(v)]
    return t3, t4


def _image() -> bytes:
    t3, t4 = _truth()
    rows = [[TITLE], ["三、收到和处理政府信息公开申请情况"]]
    rows.append(["申请人情况", "自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"])
    for spec in table3_rows(Form.F2021):
        rows.append([_label(spec.label)[:22], *map(str, t3[spec.key])])
    rows.append(["四、政府信息公开行政复议、行政诉讼情况"])
    rows.append(["行政复议"])
    rows.append(["", *map(str, t4)])
    return table_png(rows, size=30, label_width=700, col_width=130)


def _ocr_cells_are_marked(r) -> None:  # type: ignore[no-untyped-def]
    for table in (r.requests, r.review_litigation, r.proactive):
        for row in table.values():
            for cell in row.values():
                if cell.value is not None:
                    assert cell.source is not None
                    assert cell.source.note == "ocr" and cell.source.inferred


def test_ocr_table3_image_never_accepts_wrong_numbers() -> None:
    r = parse_document(_image(), filename="table3.png")
    if ocr_unavailable():
        assert r.tables_found == NOTHING_FOUND
        assert r.images_only
        assert any(p.reason.startswith("不可机读：") for p in r.problems)
        return
    assert r.input_kind == "ocr"
    assert r.title == TITLE
    _ocr_cells_are_marked(r)
    t3, t4 = _truth()
    correct = 0
    for key, want in t3.items():
        got = [r.requests[key][c].value for c in TABLE3_COLUMNS]
        if got == want:
            correct += 1
            continue
        # a misread row must be blanked and reported, never silently wrong
        assert got == [None] * 7, (key, got, want)
        assert any(p.where == f"table3.{key}" for p in r.problems), key
    # this machine's tesseract reads the clean rendering almost entirely
    assert correct >= 20, correct
    assert r.tables_found["requests"]
    got4 = [
        r.review_litigation[g][c].value
        for g in ("review", "suit_direct", "suit_after_review")
        for c in TABLE4_CELLS
    ]
    for g in range(3):
        part = got4[g * 5 : g * 5 + 5]
        assert part == t4[g * 5 : g * 5 + 5] or part == [None] * 5


def test_ocr_misread_row_is_blanked_not_accepted() -> None:
    """A row printed with a wrong total (as OCR would misread one digit) is left blank."""
    t3, _ = _truth()
    rows = [[TITLE], ["三、收到和处理政府信息公开申请情况"]]
    bad = list(t3["new"])
    bad[6] += 1  # the total no longer equals the sum
    rows.append(["一、本年新收政府信息公开申请数量", *map(str, bad)])
    rows.append(["二、上年结转政府信息公开申请数量", *map(str, t3["carried_over"])])
    r = parse_document(table_png(rows, size=30, label_width=700, col_width=130))
    if ocr_unavailable():
        assert r.tables_found == NOTHING_FOUND and r.images_only
        return
    assert [r.requests["new"][c].value for c in TABLE3_COLUMNS] == [None] * 7
    reasons = {p.where: p.reason for p in r.problems}
    assert "各类申请人之和等于总计" in reasons["table3.new"]
    got = [r.requests["carried_over"][c].value for c in TABLE3_COLUMNS]
    assert got in (t3["carried_over"], [None] * 7)


def test_image_only_pdf_is_ocrd() -> None:
    img = Image.open(io.BytesIO(_image()))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PDF", resolution=200.0)
    r = parse_document(buf.getvalue(), filename="scan.pdf")
    reasons = [p.reason for p in r.problems]
    assert any("没有文本层" in x for x in reasons)
    if ocr_unavailable():
        assert r.tables_found == NOTHING_FOUND and r.images_only
        assert any(x.startswith("不可机读：") for x in reasons)
        return
    assert r.input_kind == "ocr"
    _ocr_cells_are_marked(r)
    t3, _ = _truth()
    assert sum(1 for k, want in t3.items() if [r.requests[k][c].value for c in TABLE3_COLUMNS] == want) >= 20


def test_missing_tesseract_gives_unreadable(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Simulate a machine without tesseract: a clear problem, no table found, no exception."""
    import reports.parse.ocr as ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    ocr.ocr_unavailable.cache_clear()
    try:
        r = parse_document(_image(), filename="t.png")
    finally:
        ocr.ocr_unavailable.cache_clear()
    assert r.tables_found == NOTHING_FOUND
    assert r.images_only
    assert [p.reason for p in r.problems if p.where == "document"] == [
        "不可机读：未安装 tesseract（OCR），无法识别图片中的文字"
    ]


def test_html_page_of_images_is_not_machine_readable() -> None:
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
