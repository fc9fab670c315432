"""Excel (.xlsx) → blocks: every sheet's rows as grid rows, for the table recognisers.

Agencies sometimes attach the three tables as a workbook. openpyxl reads it in
read-only mode (streaming); rows and columns are capped, merged cells read as
blank which the grid path already tolerates. The zip is checked by ``limits`` first.
"""

from __future__ import annotations

import io
from decimal import Decimal

from reports.model import ParseProblem
from reports.parse.blocks import Block, Document, GridCell
from reports.parse.limits import MAX_TABLE_COLS, MAX_TABLE_ROWS


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        d = Decimal(repr(v))
        return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")
    return " ".join(str(v).split())


def xlsx_document(data: bytes) -> tuple[Document | None, list[ParseProblem]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken packages
        return None, [
            ParseProblem(where="document", reason="Excel 文件损坏，无法读取", detail={"error": repr(exc)})
        ]
    blocks: list[Block] = []
    problems: list[ParseProblem] = []
    try:
        for idx, ws in enumerate(wb.worksheets):
            for r, row in enumerate(ws.iter_rows(max_col=MAX_TABLE_COLS, values_only=True)):
                if r >= MAX_TABLE_ROWS:
                    problems.append(
                        ParseProblem(
                            where="document",
                            reason=f"工作表「{ws.title}」行数过多（超过 {MAX_TABLE_ROWS} 行），只读取了前 {MAX_TABLE_ROWS} 行",
                            detail={"sheet": ws.title, "limit": MAX_TABLE_ROWS},
                        )
                    )
                    break
                cells = [GridCell(text=_cell_text(v), col=c) for c, v in enumerate(row)]
                real = [g.text for g in cells]
                while real and not real[-1]:
                    real.pop()
                if not any(real):
                    continue
                if sum(1 for t in real if t) == 1 and real[0]:
                    blocks.append(Block(text=real[0], line=len(blocks) + 1))  # a heading or paragraph
                    continue
                cells = cells[: len(real)]
                blocks.append(
                    Block(text="\t".join(real), line=len(blocks) + 1, cells=cells, table=idx, row=r)
                )
    except Exception as exc:  # a broken sheet XML surfaces only while iterating
        return None, [
            ParseProblem(where="document", reason="Excel 文件损坏，无法读取", detail={"error": repr(exc)})
        ]
    finally:
        wb.close()
    return Document(blocks=blocks, input_kind="xlsx"), problems
