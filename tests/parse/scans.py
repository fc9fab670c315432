"""Scanned reports for the OCR tests, made once per session from our own renderings.

OCR costs seconds a page, so each scan is parsed once (`parsed`) and shared by the tests
that look at it; every scan is small (a few pages, 150–300 dpi).
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal

from PIL import Image

from replicas.pdf import report_pdf
from replicas.scan import Spoil, balanced_report, image_pdf, scan_pages
from reports.form import TABLE3_COLUMNS, TABLE4_CELLS, TABLE4_GROUPS
from reports.model import ParsedReport
from reports.parse import parse_document

SEED = 1
OFFICE = Spoil(seal_on_page=2)  # 200 dpi, 0.4° skew, speckle, blur, JPEG 75, a red seal over table 三


@functools.cache
def truth() -> ParsedReport:
    return balanced_report(SEED)


@functools.cache
def printed() -> bytes:
    """The report as its office printed it: three A4 pages, table 三 running from page 1 to 2."""
    return report_pdf(truth(), font_size=10.5)


@functools.cache
def pages(spoil: Spoil = OFFICE) -> tuple[bytes, ...]:
    return tuple(scan_pages(printed(), spoil, seed=SEED))


@functools.cache
def scanned_pdf(spoil: Spoil = OFFICE) -> bytes:
    return image_pdf(list(pages(spoil)), spoil.dpi)


def as_format(page: bytes, fmt: str, **save: object) -> bytes:
    buf = io.BytesIO()
    im = Image.open(io.BytesIO(page))
    (im.convert("P") if fmt == "GIF" else im).save(buf, format=fmt, **save)
    return buf.getvalue()


def multipage_tiff(spoil: Spoil) -> bytes:
    frames = [Image.open(io.BytesIO(p)) for p in pages(spoil)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    return buf.getvalue()


@functools.cache
def parsed(kind: str) -> ParsedReport:
    """Each scan parsed once per session."""
    if kind == "office-pdf":
        return parse_document(scanned_pdf(), filename="scan.pdf")
    if kind == "tiff-300-rot":
        return parse_document(multipage_tiff(Spoil(dpi=300, rotate=-1.0, jpeg=None)), filename="scan.tif")
    if kind == "photo":
        photo = Spoil(photo=True, jpeg=60)
        return parse_document(pages(photo)[1], filename="photo.jpg")
    raise KeyError(kind)


def t3_t4_cells(report: ParsedReport) -> list[tuple[str, str, str, int | Decimal | None]]:
    """(table, row, column, value) of every cell of tables 三 and 四."""
    out = [("requests", r, c, report.requests[r][c].value) for r in report.requests for c in TABLE3_COLUMNS]
    out += [
        ("review_litigation", g, c, report.review_litigation[g][c].value)
        for g in TABLE4_GROUPS
        for c in TABLE4_CELLS
    ]
    return out


def score(report: ParsedReport) -> tuple[int, int, int]:
    """(right, wrong, blank) over the cells of tables 三 and 四, against the figures printed."""
    want = {(t, r, c): v for t, r, c, v in t3_t4_cells(truth())}
    right = wrong = blank = 0
    for t, r, c, v in t3_t4_cells(report):
        if v is None:
            blank += 1
        elif v == want[(t, r, c)]:
            right += 1
        else:
            wrong += 1
    return right, wrong, blank
