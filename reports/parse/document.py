"""Dispatch by what the bytes are; every failure becomes a ParseProblem."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from reports.model import ParsedReport, ParseProblem
from reports.parse.assemble import UNREADABLE, assemble
from reports.parse.blocks import Document, text_to_blocks
from reports.parse.decode import decode_bytes, looks_like_text
from reports.parse.limits import (
    MAX_HTML_BYTES,
    MAX_INPUT_BYTES,
    MAX_PAGES,
    MAX_TEXT_BYTES,
    OcrBounds,
    check_zip,
    too_big,
)
from reports.parse.sniff import claimed_kind, sniff

log = logging.getLogger(__name__)

_KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word（.docx）",
    "html": "HTML 网页",
    "text": "纯文本",
    "doc": "旧版 Word（.doc）",
    "xlsx": "Excel（.xlsx）",
    "xls": "旧版 Excel（.xls）",
    "ole": "旧版 Office 文件",
    "image": "图片",
    "rtf": "RTF 文档",
    "zip": "压缩文件",
}
_SIZE_CAPS = {"html": (MAX_HTML_BYTES, "网页"), "text": (MAX_TEXT_BYTES, "文本文件")}


def parse_text(text: str, *, input_kind: str = "text") -> ParsedReport:
    """Parse extracted or copied-out text (tab-separated table rows allowed)."""
    try:
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        doc = Document(blocks=text_to_blocks(text), input_kind=input_kind)
        return assemble(doc)
    except Exception as exc:  # never raise on content
        log.exception("parse_text failed")
        return _failed(input_kind, "解析文本时出现内部错误", {"error": repr(exc)})


def _failed(kind: str, reason: str, detail: dict[str, Any] | None = None, text: str = "") -> ParsedReport:
    return ParsedReport(
        input_kind=kind,
        text=text,
        problems=[ParseProblem(where="document", reason=reason, detail=detail or {})],
    )


def parse_document(
    data: bytes,
    *,
    content_type: str | None = None,
    filename: str | None = None,
    fetch_image: Callable[[str], bytes | None] | None = None,
    base_url: str | None = None,
    ocr: OcrBounds | None = None,
    max_pages: int | None = None,
) -> ParsedReport:
    """Parse a downloaded document, sniffing its real kind from the bytes.

    ``fetch_image`` lets an HTML report's <img> (tables published as pictures) be read by
    OCR: it is asked for each image's bytes by absolute URL (resolved against ``base_url``,
    else ``filename`` when that is a URL) and answers None when it cannot or may not fetch it.
    ``ocr`` bounds what OCR may cost (default: NIANBAO_OCR_MAX_PAGES, NIANBAO_OCR_PAGE_SECONDS).
    ``max_pages``: PDF pages read for text (default ``limits.MAX_PAGES``).
    """
    bounds = ocr or OcrBounds.from_env()
    kind = sniff(data)
    claimed = claimed_kind(content_type, filename)
    pre: list[ParseProblem] = []
    detail = {"filename": filename, "content_type": content_type, "size": len(data)}
    if claimed and claimed != kind and kind not in ("empty",):
        pre.append(
            ParseProblem(
                where="document",
                reason=f"文件声称是{_KIND_NAMES.get(claimed, claimed)}，实际内容是{_KIND_NAMES.get(kind, kind)}",
                detail={**detail, "claimed": claimed, "actual": kind},
            )
        )
    try:
        if kind == "empty":
            return _failed("unknown", "文件为空（0 字节或只有空白）", detail)
        limit, what = _SIZE_CAPS.get(kind, (MAX_INPUT_BYTES, "文件"))
        if len(data) > limit:
            report = ParsedReport(input_kind=kind, problems=[*pre, too_big(len(data), limit, what)])
            return report
        doc, problems = _read(kind, data, detail, bounds, max_pages or MAX_PAGES)
        if doc is not None and doc.images and fetch_image is not None:
            from reports.parse.ocr import ocr_html_images

            base = base_url or (filename if (filename or "").startswith(("http://", "https://")) else None)
            problems += ocr_html_images(doc, fetch_image, base, bounds)
        if doc is None:
            report = ParsedReport(input_kind=kind)
            report.problems.extend(pre + problems)
            # an image (or scan) that OCR could not read: its tables exist only as pictures
            report.images_only = kind in ("image", "pdf") and any(
                p.reason.startswith(UNREADABLE) for p in problems
            )
            return report
        report = assemble(doc, pre + problems)
        if doc.note:
            _note_sources(report, doc.note)
        if doc.ocr_pages:
            from reports.parse.ocrverify import settle_ocr

            settle_ocr(report, doc)
        return report
    except Exception as exc:  # never raise on content
        log.exception("parse_document failed")
        return _failed(kind, "解析文件时出现内部错误", {**detail, "error": repr(exc)})


def _note_sources(report: ParsedReport, note: str) -> None:
    """Stamp how the document was read (e.g. a .doc via LibreOffice) on every cell's source."""
    rows = [*report.proactive.values(), *report.requests.values(), *report.review_litigation.values()]
    for cells in rows:
        for cell in cells.values():
            if cell.source is not None and cell.source.note is None:
                cell.source = cell.source.model_copy(update={"note": note})


def _read(
    kind: str, data: bytes, detail: dict[str, Any], bounds: OcrBounds, max_pages: int
) -> tuple[Document | None, list[ParseProblem]]:
    """The document's blocks by its sniffed kind (None with problems when unreadable)."""
    if kind == "pdf":
        from reports.parse.pdf import pdf_document

        doc, problems = pdf_document(data, max_pages)
        if doc is not None and not doc.blocks and doc.images_in_body:
            from reports.parse.ocr import ocr_pdf

            doc, more = ocr_pdf(data, bounds)
            return doc, [*problems, *more]  # the no-text-layer problem stays
        return doc, problems
    if kind in ("docx", "xlsx"):
        bad = check_zip(data, _KIND_NAMES[kind] + "文件")
        if bad:
            return None, [bad]
        if kind == "docx":
            from reports.parse.word import docx_document

            return docx_document(data)
        from reports.parse.xlsx import xlsx_document

        return xlsx_document(data)
    if kind == "html":
        from reports.parse.html import html_document

        return html_document(decode_bytes(data, detail.get("content_type")).text)
    if kind == "doc":
        from reports.parse.doc import doc_document

        return doc_document(data)
    if kind == "image":
        from reports.parse.ocr import ocr_image_file

        return ocr_image_file(data, bounds)
    if kind == "xls":
        from reports.parse.office import xls_document

        return xls_document(data)
    if kind in ("zip", "ole"):
        what = "压缩文件（不是 Word .docx 或 Excel .xlsx）" if kind == "zip" else "无法识别的旧版 Office 文件"
        return None, [ParseProblem(where="document", reason=f"文件是{what}，无法解析", detail=detail)]
    decoded = decode_bytes(data, detail.get("content_type"))  # text, or an RTF read as text
    if decoded.lossy or not looks_like_text(decoded.text):
        return None, [
            ParseProblem(
                where="document",
                reason="文件内容不是可读的文本（无法识别编码或为二进制数据）",
                detail={**detail, "encoding": decoded.encoding},
            )
        ]
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(blocks=text_to_blocks(text), input_kind="text"), []
