"""Draw report text and table rows into a PNG (WenQuanYi Micro Hei), for OCR tests."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def table_png(
    rows: list[list[str]], *, size: int = 28, label_width: int = 620, col_width: int = 110
) -> bytes:
    """One line per row: the first cell is a label, the others sit in fixed numeric columns."""
    font = ImageFont.truetype(FONT_PATH, size)
    line_h = int(size * 1.9)
    width = label_width + col_width * max(len(r) - 1 for r in rows) + 60
    img = Image.new("L", (width, line_h * len(rows) + 80), 255)
    draw = ImageDraw.Draw(img)
    y = 40
    for row in rows:
        draw.text((30, y), row[0], font=font, fill=0)
        for i, cell in enumerate(row[1:]):
            draw.text((30 + label_width + i * col_width, y), cell, font=font, fill=0)
        y += line_h
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
