"""Stream assembly for text whose table cells were flattened into running lines.

PDF text breaks labels and figures across lines (「自然\\n人」, 「0 0 0 0 0 0\\n0」), so a
row is the run of text tokens (its label, joined across lines) followed by the run
of figure tokens (its values, joined across lines). Blank cells are invisible here,
which ``fit`` accounts for. Labels and figures that run together in one chunk are told
apart by ``reports.parse.tokens``; page numbers on lines of their own are skipped.
"""

from __future__ import annotations

from reports.parse.blocks import Block
from reports.parse.grid import squash
from reports.parse.records import Record, ValueTok
from reports.parse.tokens import PAGE_NUMBER_LINE, text_tokens


def stream_records(blocks: list[Block]) -> list[Record]:
    """Label runs and the figure runs after them, across line breaks."""
    records: list[Record] = []
    label: list[str] = []
    values: list[ValueTok] = []
    start: Block | None = None

    def flush() -> None:
        nonlocal label, values, start
        if label or values:
            src = start.source() if start else None
            records.append(Record(label="".join(label), values=values, positional=False, source=src))
        label, values, start = [], [], None

    for b in blocks:
        text = b.text.replace("\t", " ") if b.cells is None else "\t".join(c.text for c in b.cells)
        if PAGE_NUMBER_LINE.match(text):
            continue
        for tok in text_tokens(text):
            if tok.value:
                values.append(ValueTok(raw=tok.raw, source=b.source(), glued=tok.glued))
                if start is None:
                    start = b
                continue
            if values:
                flush()
            if start is None:
                start = b
            label.append(squash(tok.raw))
    flush()
    return records
