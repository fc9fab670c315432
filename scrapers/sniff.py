"""Content sniffing and HTML decoding.

Portals lie about types and charsets: a `.pdf` link may return an HTML 「文件不存在」 page,
and old TRS sites send GBK with no header charset. Trust bytes over labels.
"""

from __future__ import annotations

import re

from reports.parse.sniff import IMAGE_EXTS, image_format

DOCUMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd", ".rtf", *IMAGE_EXTS)
DOCUMENT_KINDS = {"pdf", "docx", "xlsx", "zip", "ole", "rtf", "png", "jpg", "gif", "tiff", "bmp", "webp", "ofd"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"}


def sniff_kind(content: bytes) -> str:
    """Kind by magic bytes: pdf, docx, xlsx, zip, ole, rtf, png, jpg, gif, tiff, bmp, webp, html, text, empty, unknown."""
    head = content[:1024]
    if not content.strip():
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in content[:65536]:
            return "docx"
        if b"xl/" in content[:65536]:
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # doc / xls / wps
    if head.startswith(b"{\\rtf"):
        return "rtf"
    image = image_format(content)  # the parser's sniffer knows every image kind OCR reads
    if image:
        return image
    lowered = head.lstrip().lower()
    if lowered.startswith(
        (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<meta", b"<?xml")
    ) or (b"<html" in lowered or b"<body" in lowered or b"<div" in lowered or b"<script" in lowered):
        return "html"
    try:
        content[:4096].decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        pass
    return "unknown"


def _normalise(charset: str | None) -> str | None:
    if not charset:
        return None
    cs = charset.strip().lower()
    if cs in _GB_FAMILY:
        return "gb18030"
    if cs in ("utf8", "utf-8"):
        return "utf-8"
    return cs


def header_charset(content_type: str | None) -> str | None:
    m = _HEADER_CHARSET.search(content_type or "")
    return _normalise(m.group(1)) if m else None


def meta_charset(content: bytes) -> str | None:
    m = _META_CHARSET.search(content[:4096])
    return _normalise(m.group(1).decode("ascii", "ignore")) if m else None


def _is_valid_utf8_with_non_ascii(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b > 0x7F for b in content[:65536])


def decode_html(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode with header charset, then meta charset, then utf-8, then gb18030 -> (text, encoding).

    A declared GB charset over bytes that are valid non-ASCII UTF-8 loses to UTF-8: GBK text is
    almost never valid UTF-8, while mislabelled UTF-8 pages are common.
    """
    candidates = [header_charset(content_type), meta_charset(content), "utf-8", "gb18030"]
    for cs in candidates:
        if not cs:
            continue
        if cs == "gb18030" and _is_valid_utf8_with_non_ascii(content):
            return content.decode("utf-8"), "utf-8"
        try:
            return content.decode(cs), cs
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("gb18030", errors="replace"), "gb18030"


def url_wants_document(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith(DOCUMENT_EXTS)
