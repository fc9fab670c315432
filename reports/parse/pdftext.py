"""Stream assembly for text whose table cells were flattened into running lines.

PDF text breaks labels and figures across lines (「自然\\n人」, 「0 0 0 0 0 0\\n0」), so a
row is the run of text tokens (its label, joined across lines) followed by the run
of figure tokens (its values, joined across lines). Blank cells are invisible here,
which ``fit`` accounts for.
"""

from __future__ import annotations

from reports.parse.blocks import Block
from reports.parse.grid import split_label_tail, squash
from reports.parse.records import Record, ValueTok
from reports.parse.values import BLANK_MARKERS, NUMBER_TOKEN_RE, norm


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
        for tok in norm(text).split():
            if NUMBER_TOKEN_RE.match(tok) or tok in BLANK_MARKERS:
                values.append(ValueTok(raw=tok, source=b.source()))
                if start is None:
                    start = b
                continue
            head, tail = split_label_tail(tok)
            if values:
                flush()
            if start is None:
                start = b
            label.append(squash(head))
            for raw, glued in tail:
                values.append(ValueTok(raw=raw, source=b.source(), glued=glued))
    flush()
    return records
