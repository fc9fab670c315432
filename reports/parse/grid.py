"""Table rows (TSV copy-outs, expanded HTML/Word grids) → records.

A copy-out loses leading cells and shifts values, so a row is read as: label cells
(any text that is not a figure), then the value window after the last label cell.
Positions inside the window are resolved later by ``fit``.
"""

from __future__ import annotations

import re

from reports.parse.blocks import Block, GridCell
from reports.parse.records import Record, ValueTok
from reports.parse.values import BLANK_MARKERS, NUMBER_TOKEN_RE, TRAILING_DIGITS_RE, is_value_text, norm

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace-free normalised text, for marker matching (「结果 维持」→「结果维持」)."""
    return _WS.sub("", norm(text))


def split_label_tail(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """Split figures printed inside a label cell off its end.

    「规章 0 0 0」 → (「规章」, 0, 0, 0); 「…数量640020470」 → (「…数量」, glued 640020470).
    Returns the label and (raw, glued) value tokens.
    """
    parts = norm(text).split()
    tail: list[tuple[str, bool]] = []
    while parts and (NUMBER_TOKEN_RE.match(parts[-1]) or parts[-1] in BLANK_MARKERS):
        tail.insert(0, (parts.pop(), False))
    if parts:
        m = TRAILING_DIGITS_RE.match(parts[-1])
        if m and not m.group(1).rstrip().endswith(("第", ".", "、")):
            parts[-1] = m.group(1)
            tail.insert(0, (m.group(2), True))
    return "".join(parts), tail


def row_record(block: Block) -> Record:
    """One table row (or one plain line inside a grid region) as a record."""
    cells = block.cells if block.cells is not None else [GridCell(text=block.text, col=0)]
    real = [c for c in cells if not c.spanned]
    last_label = -1
    for i, c in enumerate(real):
        if not is_value_text(c.text):
            last_label = i
    label_parts = [squash(c.text) for c in real[: last_label + 1] if not is_value_text(c.text)]
    values: list[ValueTok] = []
    if last_label >= 0:
        head, tail = split_label_tail(real[last_label].text)
        label_parts[-1] = squash(head)
        src_col = real[last_label].col
        values.extend(ValueTok(raw=r, source=block.source(src_col), glued=g) for r, g in tail)
    for c in real[last_label + 1 :]:
        values.append(ValueTok(raw=norm(c.text), source=block.source(c.col)))
    return Record(label="".join(label_parts), values=values, positional=True, source=block.source())
