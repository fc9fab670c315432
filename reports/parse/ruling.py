"""Ruled tables on a page image: their ruling lines, and the cells those lines enclose.

Horizontal and vertical strokes much longer than any character are kept by a
morphological opening (OpenCV); the rows and columns of a table lie between them. A
base cell whose border line is missing is merged with its neighbour, which gives the
printed rowspan/colspan layout back, like an HTML table's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Box:
    """A rectangle on the page image, in pixels (x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def holds(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1


@dataclass
class TableGrid:
    box: Box
    ys: list[int]  # row boundaries, top to bottom
    xs: list[int]  # column boundaries, left to right
    # (row, col) of every base cell → the (row, col) of the top-left base cell of its merged cell
    owner: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def nrows(self) -> int:
        return len(self.ys) - 1

    @property
    def ncols(self) -> int:
        return len(self.xs) - 1

    def cell_box(self, r: int, c: int) -> Box:
        """The merged cell that base cell (r, c) belongs to."""
        r0, c0 = self.owner[(r, c)]
        r1, c1 = r0, c0
        while r1 + 1 < self.nrows and self.owner.get((r1 + 1, c0)) == (r0, c0):
            r1 += 1
        while c1 + 1 < self.ncols and self.owner.get((r0, c1 + 1)) == (r0, c0):
            c1 += 1
        return Box(self.xs[c0], self.ys[r0], self.xs[c1 + 1], self.ys[r1 + 1])

    def locate(self, x: float, y: float) -> tuple[int, int] | None:
        """The merged cell (its top-left base cell) holding a point, or None outside the table."""
        if not self.box.holds(x, y):
            return None
        r = int(np.searchsorted(self.ys, y, side="right")) - 1
        c = int(np.searchsorted(self.xs, x, side="right")) - 1
        if 0 <= r < self.nrows and 0 <= c < self.ncols:
            return self.owner[(r, c)]
        return None


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255: adaptive, so uneven lighting of a photographed page is tolerated."""
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 35, 18)


def line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling strokes: runs of ink longer than any glyph."""
    import cv2

    h, w = ink.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 35), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 70)))
    horiz = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, hk), np.ones((3, 3), np.uint8))
    vert = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, vk), np.ones((3, 3), np.uint8))
    return horiz, vert


def _positions(profile: np.ndarray, minimum: float, offset: int) -> list[int]:
    """Centres of the runs where a projection profile reaches ``minimum``."""
    hits = np.flatnonzero(profile >= minimum)
    if hits.size == 0:
        return []
    out: list[int] = []
    start = prev = int(hits[0])
    for v in hits[1:]:
        v = int(v)
        if v > prev + 2:
            out.append(offset + (start + prev) // 2)
            start = v
        prev = v
    out.append(offset + (start + prev) // 2)
    return out


def _covered(mask: np.ndarray, horizontal: bool, at: int, lo: int, hi: int) -> bool:
    """Whether a border line runs along ``at`` from ``lo`` to ``hi`` (most of its length)."""
    if hi - lo < 4:
        return True
    band = mask[max(0, at - 3) : at + 4, lo:hi] if horizontal else mask[lo:hi, max(0, at - 3) : at + 4]
    along = band.max(axis=0 if horizontal else 1)
    return float((along > 0).mean()) >= 0.6


def find_tables(gray: np.ndarray) -> tuple[list[TableGrid], np.ndarray]:
    """The ruled tables of a page, and the page with their ruling lines painted out (for OCR)."""
    import cv2

    ink = binarize(gray)
    horiz, vert = line_masks(ink)
    lines = cv2.bitwise_or(horiz, vert)
    _h, w = gray.shape
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables: list[TableGrid] = []
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        if bw < w // 4 or bh < 30:
            continue
        grid = _grid(horiz, vert, Box(int(x), int(y), int(x + bw), int(y + bh)))
        if grid is not None:
            tables.append(grid)
    cleaned = gray.copy()
    for t in tables:  # only the tables' own rules: a long stroke of a big title glyph stays
        b = t.box
        region = cleaned[b.y0 : b.y1, b.x0 : b.x1]
        region[lines[b.y0 : b.y1, b.x0 : b.x1] > 0] = 255
    tables.sort(key=lambda t: t.box.y0)
    return tables, cleaned


def _grid(horiz: np.ndarray, vert: np.ndarray, box: Box) -> TableGrid | None:
    hsub = horiz[box.y0 : box.y1, box.x0 : box.x1] > 0
    vsub = vert[box.y0 : box.y1, box.x0 : box.x1] > 0
    ys = _positions(hsub.sum(axis=1), min(60, (box.x1 - box.x0) * 0.05), box.y0)
    xs = _positions(vsub.sum(axis=0), min(40, (box.y1 - box.y0) * 0.3), box.x0)
    if len(ys) < 2 or len(xs) < 2:
        return None
    grid = TableGrid(box=box, ys=ys, xs=xs)
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(a: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(grid.nrows):
        for c in range(grid.ncols):
            find((r, c))
            if c + 1 < grid.ncols and not _covered(vert, False, xs[c + 1], ys[r], ys[r + 1]):
                union((r, c), (r, c + 1))
            if r + 1 < grid.nrows and not _covered(horiz, True, ys[r + 1], xs[c], xs[c + 1]):
                union((r, c), (r + 1, c))
    for r in range(grid.nrows):
        for c in range(grid.ncols):
            grid.owner[(r, c)] = find((r, c))
    return grid
