"""The intermediate document every input kind is turned into.

A document is a list of blocks in reading order: plain text lines and table rows.
Sections, metadata and tables are all recognised over blocks, so TSV copy-outs,
HTML pages, Word files and PDFs share one recogniser.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reports.model import Source

if TYPE_CHECKING:  # scanpage imports this module (and numpy): for the annotation only
    from reports.parse.scanpage import CellReading


@dataclass(slots=True)
class GridCell:
    """One cell of an expanded table row; ``spanned`` marks a rowspan/colspan copy."""

    text: str
    col: int
    spanned: bool = False


@dataclass(slots=True)
class Block:
    """A text line, or a table row when ``cells`` is set."""

    text: str
    line: int  # 1-based line in the document's extracted text
    page: int | None = None
    cells: list[GridCell] | None = None
    table: int | None = None  # index of an HTML/Word table; None for TSV lines
    row: int | None = None

    def source(self, col: int | None = None) -> Source:
        return source_at(self.line, self.page, self.table, self.row, col)


@functools.lru_cache(maxsize=16384)
def source_at(line: int, page: int | None, table: int | None, row: int | None, col: int | None) -> Source:
    """One (frozen) Source per place: reports of one layout put their figures at the same places,
    and building a validated model for each figure of each report was a tenth of the parse."""
    return Source(line=line, page=page, table=table, row=row, col=col)


@dataclass(slots=True)
class Document:
    blocks: list[Block] = field(default_factory=list)
    input_kind: str = "text"
    # Candidate titles found outside the body (HTML <title>/<h1>, PDF metadata).
    title_hints: list[str] = field(default_factory=list)
    images_in_body: int = 0
    # How the cells were read when it matters (e.g. a .doc via LibreOffice); lands in Source.note.
    note: str | None = None
    # Read by OCR: what was seen in each table cell, by (page, table, row, col), for verification.
    ocr_readings: dict[tuple[int, int, int, int], CellReading] = field(default_factory=dict)
    ocr_table_ids: set[int] = field(default_factory=set)  # Block.table of the tables OCR rebuilt
    ocr_pages: list[int] = field(default_factory=list)  # page numbers OCR read
    # <img> in the body of an HTML page: its src and the index of the block it stands before
    images: list[tuple[str, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def text_to_blocks(text: str, *, page_of_line: list[int] | None = None) -> list[Block]:
    """Lines of plain text; a line holding tabs is a copied-out table row."""
    blocks: list[Block] = []
    for i, raw in enumerate(text.split("\n")):
        line = raw.rstrip("\r")
        page = page_of_line[i] if page_of_line and i < len(page_of_line) else None
        cells = None
        if "\t" in line:
            cells = [GridCell(text=c, col=j) for j, c in enumerate(line.split("\t"))]
        blocks.append(Block(text=line, line=i + 1, page=page, cells=cells))
    return blocks
