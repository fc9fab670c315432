"""PDF → blocks, text per page with pypdfium2 (page numbers kept for provenance)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from reports.model import ParseProblem
from reports.parse.blocks import Document, text_to_blocks
from reports.parse.limits import MAX_PAGES
from reports.parse.pdfium_lock import PDFIUM

# Page furniture printed on its own line: 「- 3 -」, 「第 3 页」, 「3/12」, 「— 3 —」.
_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+)\s*$"
)


def _strip_page_numbers(lines: list[str]) -> list[str]:
    """Drop a page-number line at the top or bottom of a page; it would read as a figure."""
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    drop: set[int] = set()
    if idx and _PAGE_NO.match(lines[idx[-1]]):
        drop.add(idx[-1])
    if idx and _PAGE_NO.match(lines[idx[0]]) and idx[0] not in drop:
        drop.add(idx[0])
    return [ln for i, ln in enumerate(lines) if i not in drop]


def pdf_document(data: bytes, max_pages: int = MAX_PAGES) -> tuple[Document | None, list[ParseProblem]]:
    """The text of at most `max_pages` pages (a 3,000-page upload would cost half a gigabyte;
    a real report has a few dozen); pages past the cap are left out with a problem saying so.
    The text is read under `PDFIUM` (pdfium allows one call at a time); the blocks are built
    outside it."""
    with PDFIUM:
        text = _pdf_text(data, max_pages)
    if isinstance(text, ParseProblem):
        return None, [text]
    lines, pages, n, problems = text
    if not any(ln.strip() for ln in lines):
        problems.append(
            ParseProblem(
                where="document",
                reason="PDF 没有文本层（可能是扫描件或图片），无法读取文字和表格",
                detail={"pages": n, "size": len(data)},
            )
        )
        doc = Document(blocks=[], input_kind="pdf", images_in_body=n)
        return doc, problems
    doc = Document(blocks=text_to_blocks("\n".join(lines), page_of_line=pages), input_kind="pdf")
    return doc, problems


def _pdf_text(
    data: bytes, max_pages: int
) -> ParseProblem | tuple[list[str], list[int], int, list[ParseProblem]]:
    """Lines of text with their page numbers, the page count and the problems; or why the PDF
    cannot be opened. Every pdfium object is closed here, under the caller's lock."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        reason = (
            "PDF 文件已加密，无法读取文本层" if "password" in msg.lower() else "PDF 文件损坏，无法读取文本层"
        )
        return ParseProblem(where="document", reason=reason, detail={"error": msg, "size": len(data)})
    problems: list[ParseProblem] = []
    lines: list[str] = []
    pages: list[int] = []
    try:
        n = len(pdf)
        if n > max_pages:
            problems.append(
                ParseProblem(
                    where="document",
                    reason=f"PDF 共 {n} 页，超过页数上限，只读取了前 {max_pages} 页",
                    detail={"pages": n, "limit": max_pages},
                )
            )
        for p in range(min(n, max_pages)):
            try:
                text = _page_text(pdf, p)
            except pdfium.PdfiumError as exc:
                problems.append(
                    ParseProblem(
                        where=f"document.page{p + 1}",
                        reason=f"PDF 第{p + 1}页无法读取",
                        detail={"error": str(exc)},
                    )
                )
                continue
            page_lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")
            for ln in _strip_page_numbers(page_lines):
                lines.append(ln)
                pages.append(p + 1)
    finally:
        pdf.close()
    return lines, pages, n, problems


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return str(textpage.get_text_range())
        finally:
            textpage.close()
    finally:
        page.close()
