"""One page image → blocks: text lines and table rows rebuilt from word boxes.

A ruled table's cells come from its ruling lines (`ruling`), each OCR'd word goes to the
cell its centre lies in, and the rows become grid blocks exactly like an HTML table's
(spanned cells marked), so the usual recognisers read them. Without ruling lines, a row
is a line of words and its figures are put in the columns of the header above them by
their x-positions. Labels are put back to the form's wording (`ocrlabels`); figure cells
the first pass was unsure of are read again, digits only.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np

from reports.form import TABLE3_COLUMN_LABELS, TABLE4_CELL_LABELS
from reports.parse.blocks import Block, GridCell
from reports.parse.ocrengine import OcrFailed, Word, page_words, read_digits
from reports.parse.ocrlabels import canonical
from reports.parse.pageimage import PageImage
from reports.parse.ruling import TableGrid, binarize, find_tables
from reports.parse.values import is_value_text, norm, parse_number

UNSURE_CONF = 80.0  # a figure read with less confidence than this is read again, digits only
_ASCII = re.compile(r"[0-9A-Za-z.%/]$")
_DIGITISH = re.compile(r"^[0-9OoDlI|iSsZzB.,·:;'`\-—/]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_JUNK = re.compile(r"[.,·:;'`’‘_~|]")
_HEADER_WORDS = (*TABLE3_COLUMN_LABELS.values(), *TABLE4_CELL_LABELS.values(), "社会公益", "法律服务")


@dataclass
class CellReading:
    """What OCR saw in one table cell, for verification and for the finding's evidence."""

    text: str
    conf: float | None
    ink: bool
    second: str | None = None  # the digit-only reading, when one was made
    crop: np.ndarray | None = field(default=None, repr=False)  # the figure cell, for a reading alone


@dataclass
class PageResult:
    blocks: list[Block] = field(default_factory=list)
    readings: dict[tuple[int, int, int, int], CellReading] = field(default_factory=dict)
    tables: int = 0


def _join(words: list[Word]) -> str:
    """Words of one line in reading order; Chinese is written without spaces."""
    out = ""
    for w in sorted(words, key=lambda w: w.x0):
        if out and _ASCII.search(out[-1]) and _ASCII.match(w.text[0]):
            out += " "
        out += w.text
    return out


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into text lines by vertical overlap (the engine's own lines break at gaps)."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        for line in lines:
            top = min(x.y0 for x in line)
            bottom = max(x.y1 for x in line)
            overlap = min(bottom, w.y1) - max(top, w.y0)
            if overlap > 0.5 * min(bottom - top, w.y1 - w.y0):
                line.append(w)
                break
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _has_ink(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether a cell holds marks bigger than speckle."""
    import cv2

    x0, y0, x1, y1 = box
    crop = ink[y0:y1, x0:x1]
    if crop.size == 0:
        return False
    n, _l, stats, _c = cv2.connectedComponentsWithStats(crop, connectivity=8)
    return any(stats[i, cv2.CC_STAT_AREA] >= 25 and stats[i, cv2.CC_STAT_HEIGHT] >= 10 for i in range(1, n))


def clean_figure(text: str) -> str:
    """A figure cell's text without the dots and ticks speckle adds (「0.」「·17」)."""
    t = norm(text)
    if is_value_text(t):
        return t
    stripped = _JUNK.sub("", t)
    return stripped if stripped.isdigit() else t


def _inset(grid: TableGrid, r: int, c: int, pad: int = 4) -> tuple[int, int, int, int]:
    b = grid.cell_box(r, c)
    return b.x0 + pad, b.y0 + pad, b.x1 - pad, b.y1 - pad


def _is_label(text: str) -> bool:
    """Text that names a row or column: two Chinese characters or more, or a label of the form."""
    return len(_CJK.findall(text)) >= 2 or canonical(text) != text


def _figure_columns(grid: TableGrid, texts: dict[tuple[int, int], str]) -> set[int]:
    """Base columns whose cells mostly read as figures: a seal over a figure that OCR reads as
    Chinese characters does not turn it into a label there."""
    out: set[int] = set()
    for c in range(grid.ncols):
        owned = [texts.get((r, c), "") for r in range(grid.nrows) if grid.owner[(r, c)] == (r, c)]
        labels = sum(1 for t in owned if _is_label(t))
        figures = sum(1 for t in owned if t and not _is_label(t))
        if figures >= 3 and figures >= 3 * labels:
            out.add(c)
    return out


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0.5:
        raise OcrFailed("图片文字识别超出每页时间预算")
    return left


def read_page(page: PageImage, table_base: int, line_base: int, budget_s: float) -> PageResult:
    """The blocks of one page; table indices and line numbers continue the document's.

    Three engine calls: the running text with the tables painted out, the tables' label cells
    (sparse text), and every figure cell again on one sheet, digits only.
    """
    deadline = time.monotonic() + budget_s
    grids, cleaned = find_tables(page.gray)
    text_only = cleaned.copy()
    tables_only = np.full_like(cleaned, 255)
    for g in grids:
        gb = g.box
        text_only[gb.y0 : gb.y1, gb.x0 : gb.x1] = 255
        tables_only[gb.y0 : gb.y1, gb.x0 : gb.x1] = cleaned[gb.y0 : gb.y1, gb.x0 : gb.x1]
    loose = page_words(text_only, _remaining(deadline), sparse=False)
    words = page_words(tables_only, _remaining(deadline), sparse=True) if grids else []
    ink = binarize(cleaned)
    per_table: list[dict[tuple[int, int], list[Word]]] = [{} for _ in grids]
    for w in words:
        for t, grid in enumerate(grids):
            at = grid.locate(w.cx, w.cy)
            if at is not None:
                per_table[t].setdefault(at, []).append(w)
                break
    result = PageResult(tables=len(grids))
    rows: list[tuple[float, Block]] = []
    figures: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
    for t, grid in enumerate(grids):
        texts = {at: "".join(_join(line) for line in _lines(ws)) for at, ws in per_table[t].items()}
        figure_cols = _figure_columns(grid, texts)
        for r, c in sorted(set(grid.owner.values())):
            raw = texts.get((r, c), "")
            conf = min((w.conf for w in per_table[t].get((r, c), [])), default=None)
            box = _inset(grid, r, c)
            reading = CellReading(raw, conf, _has_ink(ink, box))
            key = (page.number, table_base + t, r, c)
            result.readings[key] = reading
            figure = clean_figure(raw)
            if reading.ink and (c in figure_cols or not _is_label(raw)):
                x0, y0, x1, y1 = box
                reading.crop = cleaned[y0:y1, x0:x1].copy()
                figures.append((key, reading.crop))
                texts[(r, c)] = ""  # filled in by the digit pass
            elif not reading.ink:
                texts[(r, c)] = ""  # a blank cell (speckle is not a figure)
            else:
                texts[(r, c)] = figure if parse_number(figure) is not None else canonical(raw)
        for r in range(grid.nrows):
            cells = []
            for c in range(grid.ncols):
                owner = grid.owner[(r, c)]
                cells.append(GridCell(text=texts.get(owner, ""), col=c, spanned=owner != (r, c)))
            block = Block(text="", line=0, page=page.number, cells=cells, table=table_base + t, row=r)
            rows.append(((grid.ys[r] + grid.ys[r + 1]) / 2, block))
    _digit_pass(figures, result, rows, _remaining(deadline))
    rows = [(y, b) for y, b in rows if b.text.strip()]
    lines = _lines(loose)
    unruled = _unruled_rows(lines, page.number, table_base + len(grids))
    result.tables += len({b.table for b in unruled.values()})
    for i, line in enumerate(lines):
        y = sum(w.cy for w in line) / len(line)
        rows.append((y, unruled.get(i) or Block(text=canonical(_join(line)), line=0, page=page.number)))
    rows.sort(key=lambda x: x[0])
    result.blocks = _strip_furniture([b for _, b in rows])
    for i, b in enumerate(result.blocks):
        b.line = line_base + i + 1
    return result


def _digit_pass(
    figures: list[tuple[tuple[int, int, int, int], np.ndarray]],
    result: PageResult,
    rows: list[tuple[float, Block]],
    budget_s: float,
) -> None:
    """Read every figure cell with digits only (one engine call for the page); a cell with ink
    that gives no digits keeps its first reading when that was a figure, else stays blank and
    unread (verification says so)."""
    seconds = read_digits([crop for _, crop in figures], budget_s) if figures else []
    by_block = {(b.page, b.table, b.row): b for _, b in rows}
    for (key, _crop), digits in zip(figures, seconds, strict=True):
        reading = result.readings[key]
        reading.second = digits
        first = clean_figure(reading.text)
        text = digits if digits.isdigit() else (first if parse_number(first) is not None else "")
        page, table, r, c = key
        for rr in range(r, r + 1):
            block = by_block.get((page, table, rr))
            if block is not None and block.cells is not None:
                block.cells[c].text = text
    for _, block in rows:
        if block.cells is not None:
            block.text = "\t".join(x.text for x in block.cells if not x.spanned)


def _is_figure(word: Word) -> bool:
    return parse_number(clean_figure(word.text)) is not None


def _tail(line: list[Word]) -> list[Word]:
    """The figures after a line's last word of text (「1. 属于国家秘密 0 3」: 0 and 3, not 1)."""
    n = len(line)
    while n and _is_figure(line[n - 1]):
        n -= 1
    return line[n:]


def _unruled_rows(lines: list[list[Word]], page: int, first_table: int) -> dict[int, Block]:
    """Rows of a table printed without ruling lines: runs of lines holding two figures or more.

    The columns of a run are the clusters of its figures' x-positions, so a blank cell keeps its
    place; the words before the first figure are the label. Each run is one table, verified like
    a ruled one."""
    out: dict[int, Block] = {}
    runs: list[list[int]] = []
    tails = [_tail(line) for line in lines]
    for i, tail in enumerate(tails):
        if len(tail) >= 2:
            if runs and runs[-1][-1] >= i - 2:
                runs[-1].append(i)
            else:
                runs.append([i])
    for n, run in enumerate(runs):
        figures = [w for i in run for w in tails[i]]
        height = sorted(w.y1 - w.y0 for w in figures)[len(figures) // 2]
        centres: list[float] = []
        for x in sorted(w.cx for w in figures):
            if centres and x - centres[-1] < 2.5 * height:
                continue
            centres.append(x)
        for i in run:
            labels = lines[i][: len(lines[i]) - len(tails[i])]
            cells = [GridCell(text=canonical(_join(labels)), col=0)]
            cells += [GridCell(text="", col=c + 1) for c in range(len(centres))]
            for w in tails[i]:
                c = min(range(len(centres)), key=lambda k: abs(centres[k] - w.cx))
                cells[c + 1].text = (cells[c + 1].text + clean_figure(w.text)).strip()
            text = "\t".join(c.text for c in cells)
            out[i] = Block(text=text, line=0, page=page, cells=cells, table=first_table + n, row=i)
    return out


def _strip_furniture(blocks: list[Block]) -> list[Block]:
    """Drop a page number printed at the top or bottom of the page (it would read as a figure)."""
    from reports.parse.pdf import _PAGE_NO

    plain = [i for i, b in enumerate(blocks) if b.cells is None]
    drop = {i for i in (plain[:1] + plain[-1:]) if _PAGE_NO.match(blocks[i].text)}
    return [b for i, b in enumerate(blocks) if i not in drop]
