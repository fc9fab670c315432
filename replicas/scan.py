"""Scanned copies of our own renderings: what towns and small bureaus publish.

A report whose tables add up is printed with ruled tables (`replicas.pdf.report_pdf`),
rendered to page images at a scanner's resolution with pypdfium2 and then spoilt the
way an office scan is: a fraction of a degree of skew, speckle, blur, JPEG compression,
a red seal stamped over part of a table, or a low-contrast photograph of the page.
Deterministic for a given seed, so tests and benchmarks see the same pages every time.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from reports.form import (
    SECTION_KEYS,
    SECTION_LABELS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    outcome_rows,
    table3_rows,
)
from reports.model import Cell, ParsedReport, Section

SEAL_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

_TEXT = {
    "overview": (
        "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国"
        "政府信息公开条例》，不断深化政务公开，加强政策解读，回应社会关切。本报告统计期限为{year}年1月1日"
        "至{year}年12月31日。"
    ),
    "problems": "一是公开内容不够全面；二是政策解读形式单一。下一步，我单位将加强培训，提高公开质量。",
    "other": "本年度未收取信息处理费。",
}


def balanced_report(seed: int = 1, *, agency: str = "湛河区曹镇乡人民政府", year: int = 2024) -> ParsedReport:
    """An F2021 report whose tables 三 and 四 hold every identity, with zeros and 1–3 digit figures."""
    rnd = random.Random(seed)
    r = ParsedReport(
        form=Form.F2021, year=year, agency=agency, title=f"{agency}{year}年政府信息公开工作年度报告"
    )
    r.sections = {
        k: Section(
            present=True, heading=SECTION_LABELS[k], text=_TEXT.get(k, "").format(year=year, agency=agency)
        )
        for k in SECTION_KEYS
    }
    t2 = {
        ("regulations", "issued"): 0, ("regulations", "repealed"): 0, ("regulations", "in_force"): 0,
        ("normative_documents", "issued"): rnd.randint(0, 9), ("normative_documents", "repealed"): rnd.randint(0, 3),
        ("normative_documents", "in_force"): rnd.randint(10, 60), ("licensing", "decisions"): rnd.randint(100, 999),
        ("penalty", "decisions"): rnd.randint(100, 999), ("coercion", "decisions"): rnd.randint(0, 30),
        ("fees", "amount_wan_yuan"): Decimal(rnd.randint(0, 999)) / 10,
    }  # fmt: skip
    for (row, cell), v in t2.items():
        r.proactive[row][cell] = Cell(value=v)
    outcomes = [k for k in outcome_rows(Form.F2021) if k != "outcome_total"]
    grid: dict[str, list[int]] = {s.key: [0] * 6 for s in table3_rows(Form.F2021)}
    busy = [0, 1, 5, *rnd.sample([2, 3, 4], 1)]  # natural persons, firms, 其他 and one more column
    for j in busy:
        for k in rnd.sample(outcomes, 6):
            grid[k][j] = rnd.choice([1, 2, 3, 5, 8, 12, 17, 26, 104, 231])
        total = sum(grid[k][j] for k in outcomes)
        grid["outcome_total"][j] = total
        grid["carried_forward"][j] = rnd.randint(0, 9)
        grid["carried_over"][j] = rnd.randint(0, min(9, total))
        grid["new"][j] = total + grid["carried_forward"][j] - grid["carried_over"][j]
    for key, vals in grid.items():
        for c, v in zip(TABLE3_COLUMNS, [*vals, sum(vals)], strict=True):
            r.requests[key][c] = Cell(value=v)
    for g in TABLE4_GROUPS:
        parts = [rnd.choice([0, 0, 1, 2, 3, 7, 11]) for _ in range(4)]
        for c, v in zip(TABLE4_CELLS, [*parts, sum(parts)], strict=True):
            r.review_litigation[g][c] = Cell(value=v)
    return r


@dataclass(frozen=True)
class Spoil:
    """How a page is spoilt; the defaults are an ordinary office scan."""

    dpi: int = 200
    rotate: float = 0.4  # degrees, counter-clockwise
    speckle: int = 1500  # dark dots per page
    blur: float = 0.6  # Gaussian radius in pixels
    jpeg: int | None = 75  # quality; None keeps PNG
    seal_on_page: int | None = None  # 1-based page that gets a red seal over its table
    photo: bool = False  # a low-contrast, uneven, blurred photograph of the page


def _seal(img: Image.Image, rnd: random.Random) -> Image.Image:
    """A red round seal (ring, star, agency name) stamped half over the table."""
    w, h = img.size
    size = int(min(w, h) * 0.28)
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (220, 30, 40, 210)
    d.ellipse((4, 4, size - 4, size - 4), outline=red, width=max(6, size // 28))
    cx = cy = size / 2
    star = [
        (cx + size * (0.16 if i % 2 == 0 else 0.065) * math.sin(i * math.pi / 5),
         cy - size * (0.16 if i % 2 == 0 else 0.065) * math.cos(i * math.pi / 5))
        for i in range(10)
    ]  # fmt: skip
    d.polygon(star, fill=red)
    font = ImageFont.truetype(SEAL_FONT, max(12, size // 9))
    text = "湛河区人民政府办公室"
    for i, ch in enumerate(text):
        a = math.radians(-120 + 240 * i / (len(text) - 1))
        x, y = cx + size * 0.36 * math.sin(a), cy - size * 0.36 * math.cos(a)
        glyph = Image.new("RGBA", (size // 7, size // 7), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((0, 0), ch, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(a), resample=Image.Resampling.BICUBIC)
        layer.alpha_composite(glyph, (int(x - size / 14), int(y - size / 14)))
    page = img.convert("RGB")
    ink = Image.new("RGB", page.size, (255, 255, 255))
    x = int(w * rnd.uniform(0.45, 0.6))
    y = int(h * rnd.uniform(0.35, 0.55))
    ink.paste(layer, (x, y), layer)
    return ImageChops.multiply(page, ink)  # stamp ink darkens what is under it, black stays black


def _speckle(img: Image.Image, n: int, rnd: random.Random) -> None:
    d = ImageDraw.Draw(img)
    w, h = img.size
    ink = 0 if img.mode == "L" else (0, 0, 0)
    for _ in range(n):
        x, y, r = rnd.randrange(w), rnd.randrange(h), rnd.choice([0, 0, 1, 1, 2])
        d.ellipse((x, y, x + r, y + r), fill=ink)


def _photo(img: Image.Image) -> Image.Image:
    """A phone photo of the page under a desk lamp: grey, uneven light, soft focus, low contrast."""
    g = img.convert("L").filter(ImageFilter.GaussianBlur(2.6))
    w, h = g.size
    light = Image.linear_gradient("L").resize((w, h)).point(lambda v: 70 + v // 3)
    g = g.point(lambda v: 95 + v * 55 // 255)  # ink at 95, paper at 150
    return Image.blend(g, light, 0.45).rotate(2.5, fillcolor=110, resample=Image.Resampling.BICUBIC)


def spoil_page(page: Image.Image, spoil: Spoil, page_no: int, seed: int = 0) -> bytes:
    """One rendered page as the scanner (or phone) hands it over: PNG or JPEG bytes."""
    rnd = random.Random(seed * 1000 + page_no)
    img = page.convert("L")
    if spoil.seal_on_page == page_no:
        img = _seal(img, rnd)
    if spoil.photo:
        img = _photo(img)
    else:
        if spoil.rotate:
            fill = 255 if img.mode == "L" else (255, 255, 255)
            img = img.rotate(spoil.rotate, resample=Image.Resampling.BICUBIC, fillcolor=fill)
        if spoil.speckle:
            _speckle(img, spoil.speckle, rnd)
        if spoil.blur:
            img = img.filter(ImageFilter.GaussianBlur(spoil.blur))
    buf = io.BytesIO()
    if spoil.jpeg:
        img.convert("RGB" if img.mode != "L" else "L").save(buf, format="JPEG", quality=spoil.jpeg)
    else:
        img.save(buf, format="PNG")
    return buf.getvalue()


def scan_pages(pdf: bytes, spoil: Spoil = Spoil(), *, seed: int = 0, pages: int | None = None) -> list[bytes]:
    """Every page of a PDF (or the first ``pages``) scanned and spoilt."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(min(len(doc), pages or len(doc))):
            pil = doc[i].render(scale=spoil.dpi / 72, grayscale=True).to_pil()
            out.append(spoil_page(pil, spoil, i + 1, seed))
        return out
    finally:
        doc.close()


def image_pdf(images: list[bytes], dpi: int = 200) -> bytes:
    """Page images bound into an image-only PDF, as a scanner's 'scan to PDF' writes it."""
    opened = [Image.open(io.BytesIO(b)) for b in images]
    frames = [f.convert("RGB") if f.mode not in ("L", "RGB") else f for f in opened]
    buf = io.BytesIO()
    frames[0].save(buf, format="PDF", save_all=True, append_images=frames[1:], resolution=float(dpi))
    return buf.getvalue()
