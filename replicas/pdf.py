"""Print a report's text lines into a PDF, as the agency's office printer would have.

reportlab's built-in CID font STSong-Light needs no font file and gives text that pdfium
extracts back. Output is deterministic (invariant mode) and cached on disk by content hash.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

FONT = "STSong-Light"
FONT_SIZE = 10.5
LEADING = 16.0
MARGIN = 56.0


def text_to_pdf(text: str, title: str = "") -> bytes:
    """Lines as printed, one PDF line per text line, A4, new page when full."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    _width, height = A4
    y = height - MARGIN
    c.setFont(FONT, FONT_SIZE)
    for line in text.splitlines():
        if y < MARGIN:
            c.showPage()
            c.setFont(FONT, FONT_SIZE)
            y = height - MARGIN
        if line:
            # pdfium drops a text object holding one lone CJK glyph; a trailing space keeps it.
            c.drawString(MARGIN, y, line + (" " if len(line) == 1 else ""))
        y -= LEADING
    c.save()
    return buf.getvalue()


def cached_pdf(text: str, title: str = "", cache_dir: Path | None = None) -> bytes:
    """`text_to_pdf` with an on-disk cache so portal start-up stays fast."""
    key = hashlib.sha256(f"v1|{title}|{text}".encode()).hexdigest()[:24]
    directory = cache_dir or Path(tempfile.gettempdir()) / "nianbao-replicas"
    path = directory / f"{key}.pdf"
    if path.exists():
        return path.read_bytes()
    data = text_to_pdf(text, title)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data
