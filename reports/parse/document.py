"""Dispatch by what the bytes are; every failure becomes a ParseProblem."""

from __future__ import annotations

import logging
from typing import Any

from reports.model import ParsedReport, ParseProblem
from reports.parse.assemble import assemble
from reports.parse.blocks import Document, text_to_blocks
from reports.parse.decode import decode_bytes, looks_like_text
from reports.parse.sniff import claimed_kind, sniff

log = logging.getLogger(__name__)

_KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word（.docx）",
    "html": "HTML 网页",
    "text": "纯文本",
    "ole": "旧版 Word（.doc）",
}


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
    data: bytes, *, content_type: str | None = None, filename: str | None = None
) -> ParsedReport:
    """Parse a downloaded document, sniffing its real kind from the bytes."""
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
        if kind == "pdf":
            from reports.parse.pdf import pdf_document

            doc, problems = pdf_document(data)
        elif kind == "docx":
            from reports.parse.word import docx_document

            doc, problems = docx_document(data)
        elif kind == "html":
            from reports.parse.html import html_document

            doc, problems = html_document(decode_bytes(data).text)
        elif kind in ("zip", "ole"):
            what = (
                "旧版 Word（.doc）文件，暂不支持解析"
                if kind == "ole"
                else "压缩文件（不是 Word .docx），无法解析"
            )
            return _failed(kind, f"文件是{what}", detail)
        else:
            decoded = decode_bytes(data)
            if decoded.lossy or not looks_like_text(decoded.text):
                return _failed(
                    "text",
                    "文件内容不是可读的文本（无法识别编码或为二进制数据）",
                    {**detail, "encoding": decoded.encoding},
                )
            text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
            doc, problems = Document(blocks=text_to_blocks(text), input_kind="text"), []
        if doc is None:
            report = ParsedReport(input_kind=kind)
            report.problems.extend(pre + problems)
            return report
        return assemble(doc, pre + problems)
    except Exception as exc:  # never raise on content
        log.exception("parse_document failed")
        return _failed(kind, "解析文件时出现内部错误", {**detail, "error": repr(exc)})
