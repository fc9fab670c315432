"""Page images for OCR: decoded within limits, red ink dropped, skew undone.

Every image input (a PNG/JPEG/GIF/TIFF/BMP/WebP file, each frame of a multi-page TIFF,
each rendered page of an image-only PDF) becomes a grayscale numpy array here. Memory
stays bounded: an image's size is read from its header before it is decoded, and pages
are scaled down to ``MAX_OCR_SIDE`` pixels on their long side.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from reports.parse.limits import MAX_IMAGE_PIXELS, MAX_OCR_SIDE, OCR_RENDER_DPI
from reports.parse.pdfium_lock import PDFIUM


class ImageRefused(Exception):
    """An image that is not decoded (too large, broken); its message is the Chinese reason."""


@dataclass
class PageImage:
    gray: np.ndarray  # uint8, red ink (seals) removed, deskewed
    number: int  # 1-based page (or frame) number in its document
    skew: float = 0.0  # degrees the page was turned back


def frames(data: bytes, limit: int) -> tuple[Iterator[np.ndarray], int]:
    """The frames of an image file (up to ``limit``) as RGB arrays, decoded one at a time, and how
    many frames the file has. The header is checked first: a decompression bomb is refused."""
    from PIL import Image, UnidentifiedImageError

    errors = (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError)
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            n = getattr(im, "n_frames", 1)
    except errors as exc:
        raise ImageRefused("图片文件损坏，无法识别") from exc
    if w * h > MAX_IMAGE_PIXELS:
        raise ImageRefused(f"图片过大（{w}×{h} 像素），未识别")

    def each() -> Iterator[np.ndarray]:
        try:
            with Image.open(io.BytesIO(data)) as im:
                for i in range(min(n, limit)):
                    im.seek(i)
                    if im.size[0] * im.size[1] > MAX_IMAGE_PIXELS:
                        raise ImageRefused(f"图片第{i + 1}帧过大，未识别")
                    yield _fit(np.asarray(im.convert("RGB")))
        except errors as exc:
            raise ImageRefused("图片文件损坏，无法识别") from exc

    return each(), n


def render_pdf(data: bytes, limit: int) -> Iterator[np.ndarray]:
    """The first ``limit`` pages of a PDF rendered at the OCR resolution, one at a time. Each
    pdfium step holds `PDFIUM` (one pdfium call at a time in the process); the OCR of a page,
    between the yields, does not."""
    import pypdfium2 as pdfium

    with PDFIUM:
        pdf = pdfium.PdfDocument(data)
        count = len(pdf)
    try:
        for p in range(min(count, limit)):
            with PDFIUM:
                rgb = _render_page(pdf, p)
            yield rgb
    finally:
        with PDFIUM:
            pdf.close()


def _render_page(pdf: Any, index: int) -> np.ndarray:
    page = pdf[index]
    try:
        w, h = page.get_size()
        bitmap = page.render(scale=min(OCR_RENDER_DPI / 72, MAX_OCR_SIDE / max(w, h)))
        try:
            return np.asarray(bitmap.to_pil().convert("RGB"))  # a copy: the bitmap's memory goes
        finally:
            bitmap.close()
    finally:
        page.close()


def pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    with PDFIUM:
        pdf = pdfium.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()


def _fit(rgb: np.ndarray) -> np.ndarray:
    """Scale a page down so its long side is at most MAX_OCR_SIDE (a 300-dpi A4 fits)."""
    import cv2

    h, w = rgb.shape[:2]
    side = max(h, w)
    if side <= MAX_OCR_SIDE:
        return rgb
    f = MAX_OCR_SIDE / side
    return cv2.resize(rgb, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)


def drop_red(rgb: np.ndarray) -> np.ndarray:
    """Grayscale in which red ink (an official seal) is paper: the red channel, where the seal is
    bright; where there is no colour cast the usual luminance is kept."""
    r = rgb[:, :, 0].astype(np.int16)
    g = rgb[:, :, 1].astype(np.int16)
    b = rgb[:, :, 2].astype(np.int16)
    lum = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.int16)
    reddish = (r - np.maximum(g, b)) > 40
    return np.where(reddish, r, lum).clip(0, 255).astype(np.uint8)


def skew_angle(gray: np.ndarray, span: float = 3.0, step: float = 0.1) -> float:
    """The angle (degrees) that makes text lines and ruling lines horizontal: the rotation whose
    row profile of ink is sharpest, searched on a reduced copy of the page."""
    import cv2

    small = cv2.resize(gray, None, fx=0.35, fy=0.35, interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST)
        prof = rot.sum(axis=1)
        return float(np.square(np.diff(prof)).sum())

    coarse = [a * 0.5 for a in range(int(-span * 2), int(span * 2) + 1)]
    best = max(coarse, key=sharpness)
    fine = [best + k * step for k in range(-5, 6)]
    angle = max(fine, key=sharpness)
    return round(angle, 2)


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def despeckle(gray: np.ndarray) -> np.ndarray:
    """Paper where a scan has dust: isolated dots of a few pixels (OCR reads them as strokes)."""
    import cv2

    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    _n, labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = (
        (stats[:, cv2.CC_STAT_AREA] <= 12)
        & (stats[:, cv2.CC_STAT_WIDTH] <= 5)
        & (stats[:, cv2.CC_STAT_HEIGHT] <= 5)
    )
    small[0] = False
    out = gray.copy()
    out[small[labels]] = 255
    return out


def prepare(rgb: np.ndarray, number: int) -> PageImage:
    """A page ready for OCR: seal dropped, straightened, dust removed."""
    gray = drop_red(rgb) if rgb.ndim == 3 else rgb
    angle = skew_angle(gray)
    return PageImage(gray=despeckle(deskew(gray, angle)), number=number, skew=angle)
