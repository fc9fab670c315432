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
from typing import Any

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


def _grid(rows: list[list[Any]]) -> tuple[list[list[str]], list[tuple[int, int, int, int]], int]:
    """Row models with rowspan/colspan (reports.layout.RCell) → a full grid of texts and the spans."""
    taken: dict[tuple[int, int], str] = {}
    spans: list[tuple[int, int, int, int]] = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = cell.text if not (dr or dc) else ""
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append((c, r, c + cell.colspan - 1, r + cell.rowspan - 1))
            c += cell.colspan
    ncols = max(c for _, c in taken) + 1
    grid = [[taken.get((r, c), "") for c in range(ncols)] for r in range(len(rows))]
    return grid, spans, ncols


def report_pdf(report: Any, *, font_size: float = 9.0) -> bytes:
    """A report printed as the office prints it: title, sections and the three ruled tables.

    The tables have their real rowspan/colspan layout (reports.layout) and split across
    pages where the page is full, as a word processor does; scanned, this is the paper
    copy that towns publish as an image-only PDF.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from reports.form import SECTION_KEYS, SECTION_LABELS
    from reports.layout import table2_rows_model, table3_rows_model, table4_rows_model

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=font_size + 1.5, leading=(font_size + 1.5) * 1.6)
    head = ParagraphStyle("head", parent=body, spaceBefore=6)
    title_style = ParagraphStyle(
        "title", parent=body, fontSize=font_size + 6, leading=(font_size + 6) * 1.5, alignment=1
    )
    cell_style = ParagraphStyle(
        "cell", fontName=FONT, fontSize=font_size, leading=font_size * 1.3, alignment=1
    )
    width = A4[0] - 2 * MARGIN
    col_widths = {
        "proactive": [width * 0.34] + [width * 0.22] * 3,
        "requests": [width * 0.07, width * 0.07, width * 0.31] + [width * 0.55 / 7] * 7,
        "review_litigation": [width / 15] * 15,
    }
    models = {
        "proactive": table2_rows_model(report),
        "requests": table3_rows_model(report),
        "review_litigation": table4_rows_model(report),
    }
    story: list[Any] = []
    title = report.title or f"{report.agency or ''}{report.year or ''}年政府信息公开工作年度报告"
    story += [Paragraph(title, title_style), Spacer(1, 8)]
    for key in SECTION_KEYS:
        sec = report.sections.get(key)
        story.append(Paragraph(sec.heading if sec and sec.heading else SECTION_LABELS[key], head))
        for para in sec.text.split("\n") if sec else []:
            if para.strip() and key not in models:
                story.append(Paragraph(para, body))
        if key in models:
            grid, spans, _ = _grid(models[key])
            data = [[Paragraph(t, cell_style) if t else "" for t in row] for row in grid]
            table = Table(data, colWidths=col_widths[key], repeatRows=0)
            style: list[tuple[Any, ...]] = [  # reportlab's stub spells each command's own tuple
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
            style += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans]
            table.setStyle(TableStyle(style))
            story += [Spacer(1, 4), table, Spacer(1, 6)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        invariant=1,
    )
    doc.build(story)
    return buf.getvalue()
