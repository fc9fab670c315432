"""Caps that keep one hostile or absurd document from costing minutes or gigabytes.

A real annual report is a few hundred KB of HTML, ~60 table rows, a few MB of PDF.
Everything past these caps is refused (or cut) with a Chinese problem, never parsed
slowly. Zip containers (DOCX/XLSX) are checked before any member is decompressed.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass

from reports.model import ParseProblem

MAX_INPUT_BYTES = 64 * 1024 * 1024  # any document as downloaded
MAX_HTML_BYTES = 2 * 1024 * 1024  # an HTML page (BeautifulSoup cost ~2 s/MB; lxml ~3x less)
MAX_TEXT_BYTES = 4 * 1024 * 1024  # a plain-text copy-out
MAX_TABLE_ROWS = 500  # rows read from one HTML/Word/sheet table
MAX_TABLE_COLS = 64  # columns read from one sheet row
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNCOMPRESSED = 64 * 1024 * 1024  # declared total of all members
MAX_ZIP_RATIO = 100  # declared size / compressed size of one member bigger than 1 MB
MAX_PAGES = 200  # PDF pages read for text
MAX_OCR_PAGES = 12  # default of NIANBAO_OCR_MAX_PAGES: pages (or image frames) OCR'd per document
OCR_PAGE_TIMEOUT_S = 30.0  # default of NIANBAO_OCR_PAGE_SECONDS: the OCR time budget of one page
OCR_RENDER_DPI = 200  # scanned PDF pages are rendered at this resolution for OCR
MAX_OCR_SIDE = 3600  # pixels on the long side of a page handed to OCR (an A4 page at 300 dpi is 3508)
MAX_OCR_IMAGES = 12  # <img> of an HTML report fetched and OCR'd
MAX_OCR_IMAGE_BYTES = 16 * 1024 * 1024  # one fetched <img>
ANTIWORD_TIMEOUT_S = 30.0
SOFFICE_TIMEOUT_S = 60.0  # one LibreOffice .doc/.xls conversion (≈2 s normally)
MAX_OFFICE_BYTES = 32 * 1024 * 1024  # a .doc/.xls handed to LibreOffice, and its output
MAX_IMAGE_PIXELS = 40_000_000  # ~ an A4 page at 600 dpi


_PROLOG_BYTES = 64 * 1024
_ROOT = re.compile(rb"<[A-Za-z_]")


def _declares_dtd(head: bytes) -> bool:
    """True when a DTD is declared before the root element (or no root in 64 KB of prolog)."""
    flat = head.replace(b"\x00", b"")  # UTF-16 parts read as ASCII
    root = _ROOT.search(flat)
    prolog = flat[: root.start()] if root else flat
    if root is None and len(head) >= _PROLOG_BYTES:
        return True
    return b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper()


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def too_big(size: int, limit: int, what: str) -> ParseProblem:
    """The problem for a document refused on size alone."""
    return ParseProblem(
        where="document",
        reason=f"{what}过大（{mb(size)}，上限 {mb(limit)}），未解析",
        detail={"size": size, "limit": limit},
    )


def check_zip(data: bytes, what: str) -> ParseProblem | None:
    """Refuse a zip bomb or an XML entity trick before python-docx/openpyxl touch it.

    Python's zipfile never inflates a member past its declared size, so checking the
    declared sizes bounds memory. Office XML never carries a DOCTYPE; one that does
    is an XXE or billion-laughs attempt and is refused outright.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return ParseProblem(
                    where="document",
                    reason=f"{what}包含的部件过多（{len(infos)} 个），疑似恶意构造，未解析",
                    detail={"members": len(infos), "limit": MAX_ZIP_MEMBERS},
                )
            total = sum(i.file_size for i in infos)
            bomb = [
                i.filename
                for i in infos
                if i.file_size > 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1)
            ]
            if total > MAX_ZIP_UNCOMPRESSED or bomb:
                return ParseProblem(
                    where="document",
                    reason=f"{what}解压后过大（{mb(total)}，上限 {mb(MAX_ZIP_UNCOMPRESSED)}）"
                    "或压缩比异常，疑似压缩炸弹，未解析",
                    detail={"uncompressed": total, "limit": MAX_ZIP_UNCOMPRESSED, "suspect": bomb[:5]},
                )
            for info in infos:
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with zf.open(info) as fh:
                    head = fh.read(_PROLOG_BYTES)
                if _declares_dtd(head):
                    return ParseProblem(
                        where="document",
                        reason=f"{what}的 XML 部件含有 DOCTYPE/实体声明，疑似恶意构造，未解析",
                        detail={"member": info.filename},
                    )
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        return ParseProblem(where="document", reason=f"{what}损坏，无法读取", detail={"error": repr(exc)})
    return None


def _env_number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return max(minimum, float(raw)) if raw else default
    except ValueError:
        return default


def ocr_max_pages() -> int:
    """Pages (or image frames) OCR'd per document: NIANBAO_OCR_MAX_PAGES, default 12."""
    return int(_env_number("NIANBAO_OCR_MAX_PAGES", MAX_OCR_PAGES, 1))


def ocr_page_seconds() -> float:
    """The OCR time budget of one page: NIANBAO_OCR_PAGE_SECONDS, default 30."""
    return _env_number("NIANBAO_OCR_PAGE_SECONDS", OCR_PAGE_TIMEOUT_S, 1.0)


@dataclass(frozen=True)
class OcrBounds:
    """How much OCR one document may cost: pages (or images) read, seconds per page."""

    max_pages: int = MAX_OCR_PAGES
    page_seconds: float = OCR_PAGE_TIMEOUT_S

    @classmethod
    def from_env(cls) -> OcrBounds:
        return cls(ocr_max_pages(), ocr_page_seconds())
