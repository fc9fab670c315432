"""The one decoder (fetcher and parser) and the PDF page cap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reports.parse import parse_document
from reports.parse.decode import decode_bytes
from tests.parse.pdfgen import text_pdf

# At least 8 characters: two or three GBK characters with no label at all can be valid UTF-8
# reading as Chinese too (E4–E9 lead bytes), which no decoder can tell apart; the short cases
# it can tell are the explicit tests below.
CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=8, max_size=60)
LABELS = [None, "utf-8", "gb2312", "gbk", "iso-8859-1", "windows-1252"]


@given(CHINESE, st.sampled_from(["utf-8", "gbk"]), st.sampled_from(LABELS), st.sampled_from(LABELS))
def test_chinese_text_survives_whatever_the_labels_say(
    text: str, real: str, header: str | None, meta: str | None
) -> None:
    page = f"<html><head>{f'<meta charset={meta}>' if meta else ''}</head><body><p>{text}</p></body></html>"
    content_type = f"text/html; charset={header}" if header else "text/html"
    try:
        data = page.encode(real)
    except UnicodeEncodeError:  # a character GBK lacks
        return
    got = decode_bytes(data, content_type)
    assert text in got.text and not got.lossy


def test_short_gbk_that_utf8_reads_as_another_script_is_gbk() -> None:
    """Found by the property above: 「嗖丗」 in GBK (E0B2 8146) is valid UTF-8, 「ಁF」."""
    data = "<html><body><p>嗖丗</p></body></html>".encode("gbk")
    got = decode_bytes(data, "text/html")
    assert "嗖丗" in got.text and got.encoding == "gb18030"
    hangul = decode_bytes("<p>旖丗</p>".encode("gbk"), None)  # UTF-8 reads 「콁F」
    assert hangul.text == "<p>旖丗</p>"


def test_a_byte_order_mark_wins_over_a_wrong_label() -> None:
    got = decode_bytes(b"\xef\xbb\xbf" + "年度报告".encode(), "text/html; charset=gbk")
    assert got.text == "年度报告" and got.encoding == "utf-8-sig"


def test_a_pdf_longer_than_the_page_cap_is_read_up_to_it_and_says_so() -> None:
    lines = [f"第{p}页 正文 marker{p}" for p in range(1, 7)]
    pdf = text_pdf("\n".join(lines), lines_per_page=1, page_numbers=False)
    capped = parse_document(pdf, filename="big.pdf", max_pages=2)
    assert "marker2" in capped.text and "marker3" not in capped.text
    problem = next(p for p in capped.problems if "页数上限" in p.reason)
    assert problem.detail == {"pages": 6, "limit": 2} and "共 6 页" in problem.reason
    full = parse_document(pdf, filename="big.pdf")
    assert "marker6" in full.text and not any("页数上限" in p.reason for p in full.problems)


def test_short_gbk_that_is_valid_utf8_is_read_as_gbk() -> None:
    """「一一」 in GBK (D2BB D2BB) is also valid UTF-8 (「һһ」): found by the property above."""
    got = decode_bytes("<p>一一</p>".encode("gbk"))
    assert got.text == "<p>一一</p>" and got.encoding == "gb18030"
    assert decode_bytes("<p>中文一一</p>".encode()).encoding == "utf-8"
    assert decode_bytes("Ünïcödé".encode()).text == "Ünïcödé"  # accented Latin stays UTF-8
    assert decode_bytes("<p>一一</p>".encode("gbk"), "text/html; charset=utf-8").text == "<p>一一</p>"
