"""What a document really is, by its bytes first (servers mislabel files often)."""

from __future__ import annotations

import io
import re
import zipfile

_HTML_MARKERS = re.compile(rb"<!doctype\s+html|<html|<head|<body|<meta|<div|<table|<p[\s>]|<title", re.I)
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),  # little-endian
    (b"MM\x00*", "tiff"),  # big-endian
)
# File names of images (scans published as attachments, tables as <img>).
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole_kind(data: bytes) -> str:
    """doc or xls by the stream names in the OLE directory (UTF-16LE), else ole."""
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    return "ole"


def image_format(data: bytes) -> str | None:
    """png, jpg, gif, tiff, bmp or webp by the magic bytes, else None (every image kind OCR reads)."""
    head = data[:16]
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return name
    # BMP: "BM", the file size, two reserved zero words, a plausible header size
    if (
        head[:2] == b"BM"
        and len(head) >= 16
        and head[6:10] == b"\x00\x00\x00\x00"
        and head[14] in (12, 40, 56, 108, 124)
    ):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def sniff(data: bytes) -> str:
    """One of: empty, pdf, docx, xlsx, zip, doc, xls, ole, rtf, image, html, text.

    A PDF may start late: JSP download servlets send CR/LF, a BOM or spaces before ``%PDF``."""
    if not data.strip():
        return "empty"
    head = data[:2048]
    if b"%PDF" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(data)
    if image_format(data):
        return "image"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    if _HTML_MARKERS.search(head.lstrip()[:2048]):
        return "html"
    return "text"


def claimed_kind(content_type: str | None, filename: str | None) -> str | None:
    """The kind the server or the file name claims, for a mismatch problem."""
    ct = (content_type or "").lower()
    name = (filename or "").lower()
    if "pdf" in ct or name.endswith(".pdf"):
        return "pdf"
    if "wordprocessingml" in ct or name.endswith(".docx"):
        return "docx"
    if "spreadsheetml" in ct or name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".doc") or "msword" in ct:
        return "doc"
    if name.endswith(".xls") or "ms-excel" in ct:
        return "xls"
    if ct.startswith("image/") or name.endswith(IMAGE_EXTS):
        return "image"
    if "html" in ct or name.endswith((".html", ".htm", ".shtml", ".jhtml")):
        return "html"
    return None
