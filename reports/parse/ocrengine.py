"""The OCR engine: tesseract (chi_sim) through its CLI, asked for word boxes (TSV), not text.

Chosen over RapidOCR (PP-OCRv4 on onnxruntime) by the measurements in docs/benchmarks.md
(「Scanned reports」): on our scans it reads as many cells right, several times faster on
one core, and adds nothing to install (a Debian package already used). One process per
page, with its own time budget; a digit-only second pass reads the cells the first pass
was unsure of, all in one image.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from reports.parse.ruling import Box

log = logging.getLogger(__name__)

LANG = "chi_sim"


class OcrFailed(Exception):
    """The engine did not answer for a page (timeout, crash); the message is the Chinese reason."""


@dataclass(frozen=True)
class Word(Box):
    """A recognised word and its box on the page."""

    text: str = ""
    conf: float = 0.0  # 0–100, the engine's confidence in the word
    line: tuple[int, int, int] = (0, 0, 0)  # (block, paragraph, line) as the engine grouped the words


@functools.lru_cache(maxsize=1)
def ocr_unavailable() -> str | None:
    """Why OCR cannot run on this machine (Chinese), or None when it can."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "未安装 tesseract（OCR），无法识别图片中的文字"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("tesseract --list-langs failed: %r", exc)
        return "tesseract（OCR）无法运行，无法识别图片中的文字"
    langs = (out.stdout + out.stderr).decode("utf-8", "replace").split()
    if LANG not in langs:
        return "未安装 tesseract 简体中文语言包（chi_sim），无法识别图片中的文字"
    return None


def _png(gray: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _run(image: bytes, args: list[str], timeout: float) -> str:
    # one thread: the parser runs beside other agencies' work; OpenMP threads only add overhead here
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        out = subprocess.run(
            ["tesseract", "stdin", "stdout", *args],
            input=image,
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed(f"图片文字识别超时（每页 {timeout:.0f} 秒）") from exc
    except OSError as exc:
        raise OcrFailed("tesseract（OCR）无法运行") from exc
    if out.returncode != 0:
        log.warning("tesseract failed: %s", out.stderr.decode("utf-8", "replace")[-300:])
        raise OcrFailed("图片文字识别失败")
    return out.stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows) of tesseract's TSV output, empty ones dropped."""
    words: list[Word] = []
    for row in tsv.split("\n")[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        text = f[11].strip()
        if not text:
            continue
        x, y, w, h = (int(v) for v in f[6:10])
        line = (int(f[2]), int(f[3]), int(f[4]))
        words.append(Word(x, y, x + w, y + h, text=text, conf=float(f[10]), line=line))
    return words


def page_words(gray: np.ndarray, timeout: float, *, sparse: bool) -> list[Word]:
    """Every word on a page with its box: running text as a block of lines (psm 4), the cells of
    a table as sparse text (psm 11), where lines do not run across the page."""
    psm = "11" if sparse else "4"
    return parse_tsv(_run(_png(gray), ["-l", LANG, "--psm", psm, "--dpi", "200", "tsv"], timeout))


GLYPH_HEIGHT = 40  # pixels: digits are read best at about this height
INK_LEVEL = 150  # grey level below which a pixel of a figure cell is ink


def glyphs(crop: np.ndarray) -> np.ndarray | None:
    """A cell crop reduced to its marks: speckle and ruling-line stubs removed, cut tight, black on
    white; None when nothing bigger than speckle is left."""
    import cv2

    if crop.size == 0 or int(crop.max()) - int(crop.min()) < 60:
        return None
    otsu, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    # printed figures are dark; what is left of a red seal is a pale grey, never ink
    ink = cv2.threshold(crop, min(otsu, INK_LEVEL), 255, cv2.THRESH_BINARY_INV)[1]
    n, labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros_like(ink)
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if area >= 12 and h >= 6 and h < crop.shape[0] * 0.95 and w < crop.shape[1] * 0.9:
            keep[labels == i] = 255
    pts = cv2.findNonZero(keep)
    if pts is None:
        return None
    x, y, w, h = cv2.boundingRect(pts)
    # the scan's own grey levels inside the kept marks (anti-aliased edges read better), paper elsewhere
    near = cv2.dilate(keep, np.ones((3, 3), np.uint8)) > 0
    tight = np.where(near, crop, 255).astype(np.uint8)[y : y + h, x : x + w]
    scale = GLYPH_HEIGHT / h
    if scale * w > 12 * GLYPH_HEIGHT:  # a long run of marks is not a cell's figure
        return None
    return cv2.resize(tight, (max(1, round(w * scale)), GLYPH_HEIGHT), interpolation=cv2.INTER_CUBIC)


def read_digits(crops: list[np.ndarray], timeout: float) -> list[str]:
    """The digits in each crop (one cell each), read in one call: the cleaned crops are laid out
    in lines with wide gaps, and each word is given back to the slot it lies in. An empty
    string: no digit read."""
    if not crops:
        return []
    cleaned = [glyphs(c) for c in crops]
    present = [g for g in cleaned if g is not None]
    if not present:
        return [""] * len(crops)
    cell_h = max(g.shape[0] for g in present)
    cell_w = max(g.shape[1] for g in present)
    per_line, gap = 6, cell_h
    slot_w, slot_h = cell_w + 4 * gap, cell_h + gap
    lines = (len(crops) + per_line - 1) // per_line
    sheet = np.full((lines * slot_h + gap, per_line * slot_w), 255, np.uint8)
    for i, g in enumerate(cleaned):
        if g is None:
            continue
        row, col = divmod(i, per_line)
        y = gap + row * slot_h + (cell_h - g.shape[0])
        x = col * slot_w + gap
        sheet[y : y + g.shape[0], x : x + g.shape[1]] = g
    args = ["-l", "eng", "--psm", "6", "-c", "tessedit_char_whitelist=0123456789", "tsv"]
    if os.environ.get("NIANBAO_OCR_DEBUG_SHEET"):
        from PIL import Image

        Image.fromarray(sheet).save(os.environ["NIANBAO_OCR_DEBUG_SHEET"])
    words = parse_tsv(_run(_png(sheet), args, timeout))
    out = [""] * len(crops)
    for w in sorted(words, key=lambda w: w.x0):
        row = int((w.cy - gap / 2) // slot_h)
        col = int(w.cx // slot_w)
        i = row * per_line + col
        if 0 <= i < len(crops) and cleaned[i] is not None:
            out[i] += w.text
    return out


def read_digits_alone(crop: np.ndarray, timeout: float) -> str:
    """One cell's digits read on their own (a single text line), for a figure its table's
    identities did not confirm: a reading independent of the page sheet's layout."""
    g = glyphs(crop)
    if g is None:
        return ""
    pad = GLYPH_HEIGHT
    sheet = np.full((g.shape[0] + 2 * pad, g.shape[1] + 2 * pad), 255, np.uint8)
    sheet[pad : pad + g.shape[0], pad : pad + g.shape[1]] = g
    args = ["-l", "eng", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789", "tsv"]
    return "".join(w.text for w in sorted(parse_tsv(_run(_png(sheet), args, timeout)), key=lambda w: w.x0))
