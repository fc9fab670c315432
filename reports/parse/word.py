"""Word (.docx) → blocks: paragraphs and tables in body order, merged cells expanded."""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from reports.model import ParseProblem
from reports.parse.blocks import Block, Document, GridCell

_WS = re.compile(r"[ \t\r\n\f\v\u3000\xa0]+")


def _text(s: str) -> str:
    return _WS.sub(" ", s).strip()


def docx_document(data: bytes) -> tuple[Document | None, list[ParseProblem]]:
    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        return None, [
            ParseProblem(where="document", reason="Word 文件损坏，无法读取", detail={"error": repr(exc)})
        ]
    blocks: list[Block] = []
    tables = 0
    images = 0
    hints: list[str] = []
    if d.core_properties.title:
        hints.append(d.core_properties.title)
    for item in d.iter_inner_content():
        if isinstance(item, Paragraph):
            if item._p.xpath(".//pic:pic"):
                images += 1
            for part in item.text.split("\n"):
                t = _text(part)
                if t:
                    blocks.append(Block(text=t, line=len(blocks) + 1))
        elif isinstance(item, Table):
            idx = tables
            tables += 1
            above: list = []
            for r, row in enumerate(item.rows):
                cells: list[GridCell] = []
                tcs = [c._tc for c in row.cells]
                for c, cell in enumerate(row.cells):
                    spanned = (c > 0 and tcs[c - 1] is tcs[c]) or (c < len(above) and above[c] is tcs[c])
                    cells.append(GridCell(text=_text(cell.text), col=c, spanned=spanned))
                above = tcs
                real = [g.text for g in cells if not g.spanned]
                if any(real):
                    blocks.append(
                        Block(text="\t".join(real), line=len(blocks) + 1, cells=cells, table=idx, row=r)
                    )
    return Document(blocks=blocks, input_kind="docx", title_hints=hints, images_in_body=images), []
