"""What a document really is, by its bytes first (servers mislabel files often)."""

from __future__ import annotations

import io
import re
import zipfile

_HTML_MARKERS = re.compile(rb"<!doctype\s+html|<html|<head|<body|<meta|<div|<table|<p[\s>]|<title", re.I)


def sniff(data: bytes) -> str:
    """One of: empty, pdf, docx, zip, html, text."""
    if not data.strip():
        return "empty"
    head = data[:2048]
    if b"%PDF" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .doc/.xls
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
    if name.endswith(".doc") or "msword" in ct:
        return "ole"
    if "html" in ct or name.endswith((".html", ".htm", ".shtml", ".jhtml")):
        return "html"
    return None
