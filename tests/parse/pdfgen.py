"""Write a text-layer PDF in the test (reportlab's built-in CID font, no font file)."""

from __future__ import annotations

import io

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def text_pdf(text: str, *, lines_per_page: int = 50, page_numbers: bool = True) -> bytes:
    """One PDF text line per input line; tabs become spaces like a PDF export does."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    lines = text.replace("\t", " ").split("\n")
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    for n, page in enumerate(pages, start=1):
        c.setFont(FONT, 9)
        y = 800
        for ln in page:
            c.drawString(40, y, ln)
            y -= 15
        if page_numbers:
            c.drawString(290, 30, f"- {n} -")
        c.showPage()
    c.save()
    return buf.getvalue()
