"""Image inputs → a document read by OCR, page by page, within bounds.

Image files (every frame of a multi-page TIFF or GIF), image-only PDFs and the <img> of
an HTML report all come here. At most ``max_pages`` pages are read per document and
each page has a time budget; what is left is recorded as not read. The blocks then go
through the usual recognisers, and `ocrverify` keeps only the figures whose table
identities hold.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable

import numpy as np

from reports.model import ParseProblem
from reports.parse.assemble import UNREADABLE
from reports.parse.blocks import Document
from reports.parse.limits import OcrBounds
from reports.parse.ocrengine import OcrFailed, ocr_unavailable
from reports.parse.pageimage import ImageRefused, frames, pdf_page_count, prepare, render_pdf

log = logging.getLogger(__name__)

# Asked for the bytes of an image at an absolute URL; None when it cannot be had (not allowed,
# unreachable). The crawler's fetcher supplies it (scrapers.images), respecting allowed hosts.
ImageFetcher = Callable[[str], bytes | None]

__all__ = [
    "ImageFetcher",
    "OcrBounds",
    "ocr_html_images",
    "ocr_image_file",
    "ocr_pages",
    "ocr_pdf",
    "ocr_unavailable",
    "unreadable",
]


def unreadable(reason: str, detail: dict | None = None) -> ParseProblem:
    return ParseProblem(where="document", reason=UNREADABLE + reason, detail=detail or {})


def _not_read(total: int, done: int, limit: int) -> ParseProblem:
    return ParseProblem(
        where="document",
        reason=f"图片共 {total} 页，只识别了前 {done} 页（上限 {limit} 页），其余页未读取",
        detail={"pages": total, "read": done, "limit": limit},
    )


def ocr_pages(
    pages: Iterable[np.ndarray], total: int, bounds: OcrBounds, *, first_page: int = 1, table_base: int = 0
) -> tuple[Document | None, list[ParseProblem]]:
    """OCR page images (RGB or gray arrays) in order; ``total`` pages exist in the document.
    Rebuilt tables are numbered from ``table_base`` (apart from an HTML page's own tables)."""
    from reports.parse.scanpage import read_page

    why = ocr_unavailable()
    if why:
        return None, [unreadable(why)]
    doc = Document(input_kind="ocr")
    problems: list[ParseProblem] = []
    done = 0
    source = iter(pages)
    for offset in range(bounds.max_pages):
        number = first_page + offset
        try:
            rgb = next(source)
        except StopIteration:
            break
        except ImageRefused as exc:
            problems.append(ParseProblem(where=f"document.page{number}", reason=f"第{number}页未读取：{exc}"))
            break
        done += 1
        started = time.monotonic()
        base = table_base + len(doc.ocr_table_ids)
        try:
            page = prepare(rgb, number)
            res = read_page(page, base, len(doc.blocks), bounds.page_seconds)
        except OcrFailed as exc:
            problems.append(ParseProblem(where=f"document.page{number}", reason=f"第{number}页未读取：{exc}"))
            continue
        doc.blocks.extend(res.blocks)
        doc.ocr_readings.update(res.readings)
        doc.ocr_table_ids.update(range(base, base + res.tables))
        doc.ocr_pages.append(number)
        log.info("OCR page %d: %d blocks, %d tables, %.1f s", number, len(res.blocks), res.tables,
                 time.monotonic() - started)  # fmt: skip
    if total > done:
        problems.append(_not_read(total, done, bounds.max_pages))
    if not any(b.text.strip() for b in doc.blocks):
        if not any(p.reason.startswith(UNREADABLE) for p in problems):
            problems.append(unreadable("图片中没有识别出文字"))
        return None, problems
    return doc, problems


def ocr_image_file(data: bytes, bounds: OcrBounds) -> tuple[Document | None, list[ParseProblem]]:
    """A PNG/JPEG/GIF/TIFF/BMP/WebP file, each of its frames a page."""
    why = ocr_unavailable()
    if why:
        return None, [unreadable(why)]
    try:
        images, n = frames(data, bounds.max_pages)
    except ImageRefused as exc:
        return None, [unreadable(str(exc))]
    return ocr_pages(images, n, bounds)


def ocr_pdf(data: bytes, bounds: OcrBounds) -> tuple[Document | None, list[ParseProblem]]:
    """An image-only PDF: its pages rendered one at a time (memory stays one page)."""
    why = ocr_unavailable()
    if why:
        return None, [unreadable(why)]
    return ocr_pages(render_pdf(data, bounds.max_pages), pdf_page_count(data), bounds)


MIN_IMAGE_SIDE = (300, 150)  # smaller <img> are icons and logos, not pages of a report


def _small(data: bytes) -> bool:
    """Whether an image is too small to be a page (its header only is read)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size[0] < MIN_IMAGE_SIDE[0] or im.size[1] < MIN_IMAGE_SIDE[1]
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused("图片文件损坏，无法识别") from exc


def ocr_html_images(
    doc: Document, fetch: ImageFetcher, base_url: str | None, bounds: OcrBounds
) -> list[ParseProblem]:
    """Fetch the <img> of an HTML report's body and put what OCR reads where each image stood.

    At most ``bounds.max_pages`` images (frames) are read; an image that cannot be fetched or
    decoded is a problem, never an exception."""
    from urllib.parse import urljoin

    problems: list[ParseProblem] = []
    why = ocr_unavailable()
    if why:
        return [unreadable(why)]
    inserts: list[tuple[int, int, Document]] = []
    pages_read = 0
    skipped: list[str] = []
    for n, (src, at) in enumerate(doc.images):
        url = urljoin(base_url or "", src)
        if pages_read >= bounds.max_pages:
            skipped.append(url)
            continue
        data = fetch(url)
        if data is None:
            problems.append(
                ParseProblem(where="document", reason="正文中的图片无法获取，未识别", detail={"url": url})
            )
            continue
        try:
            images, count = frames(data, bounds.max_pages - pages_read)
            small = _small(data)
        except ImageRefused as exc:
            problems.append(ParseProblem(where="document", reason=f"正文中的图片{exc}", detail={"url": url}))
            continue
        if small:
            continue  # an icon or a logo, not a page of the report
        take = min(count, bounds.max_pages - pages_read)
        got, more = ocr_pages(
            images,
            take,
            OcrBounds(take, bounds.page_seconds),
            first_page=pages_read + 1,
            table_base=1000 + 100 * n,
        )
        pages_read += take
        problems.extend(p.model_copy(update={"detail": {**p.detail, "url": url}}) for p in more)
        if got is not None:
            inserts.append((at, n, got))
    if skipped:
        problems.append(
            ParseProblem(
                where="document",
                reason=f"正文中的图片超过上限（{bounds.max_pages} 张），其余 {len(skipped)} 张未识别",
                detail={"limit": bounds.max_pages, "not_read": skipped[:20]},
            )
        )
    for at, _n, got in sorted(inserts, key=lambda x: (-x[0], -x[1])):  # last first: earlier indices hold
        doc.blocks[at:at] = got.blocks
        doc.ocr_readings.update(got.ocr_readings)
        doc.ocr_table_ids |= got.ocr_table_ids
        doc.ocr_pages.extend(got.ocr_pages)
    for i, b in enumerate(doc.blocks):
        b.line = i + 1
    return problems
