"""Put a record's value tokens into the n cells a row must have.

Real cells (grid) keep blanks and are aligned inside a possibly padded window;
stream tokens must number exactly n. Anything shorter is a flattened digit run
that may be split only when exactly one split passes the row's own arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reports.model import Cell
from reports.parse.records import ValueTok
from reports.parse.values import digit_splits, norm, parse_number

# More digits than this in one count cell is not a plausible count for one agency.
MAX_CELL_DIGITS = 6

Accept = Callable[[list[int]], bool]


@dataclass
class Fit:
    cells: list[Cell] | None
    reason: str | None = None  # Chinese, when cells is None or partly unsure
    detail: dict[str, Any] = field(default_factory=dict)


def _cell(tok: ValueTok, decimal: bool) -> Cell:
    raw = norm(tok.raw)
    return Cell(value=parse_number(raw, decimal=decimal), raw=raw or None, source=tok.source)


def _as_ints(cells: list[ValueTok]) -> list[int] | None:
    out: list[int] = []
    for t in cells:
        v = parse_number(t.raw)
        if not isinstance(v, int):
            return None
        out.append(v)
    return out


def _choose_window(values: list[ValueTok], n: int, accept: Accept | None) -> list[ValueTok] | None:
    """The n-cell sub-window holding every filled cell; copy-outs pad rows with empty cells."""
    options = []
    for o in range(len(values) - n + 1):
        outside = values[:o] + values[o + n :]
        if all(not v.raw.strip() for v in outside):
            options.append(values[o : o + n])
    if not options:
        return None
    if len(options) > 1 and accept is not None:
        consistent = [w for w in options if (ints := _as_ints(w)) is not None and accept(ints)]
        if consistent:
            return consistent[0]
        with_total = [w for w in options if w[-1].raw.strip()]
        if with_total:
            return with_total[0]
    return options[0]


def _split(filled: list[ValueTok], n: int, accept: Accept | None, decimal: bool) -> Fit:
    raws = [norm(v.raw) for v in filled]
    detail: dict[str, Any] = {"found": raws, "expected_cells": n}
    if accept is None or not all(r.isdigit() for r in raws) or sum(map(len, raws)) < n:
        return Fit(
            None, f"该行应有{n}个单元格，只读到{len(raws)}个数值，无法确定各数值所在的列，已留空", detail
        )
    sols = digit_splits(raws, n, accept)
    if len(sols) == 1:
        cells: list[Cell] = []
        sol = sols[0]
        # Map each part back to the token it was cut from, for provenance.
        pos = 0
        for tok in filled:
            digits = norm(tok.raw)
            used = 0
            while used < len(digits) and pos < len(sol):
                part = str(sol[pos])
                src = tok.source.model_copy(
                    update={"inferred": True, "note": f"由连写数字「{''.join(raws)}」唯一拆分得到"}
                )
                cells.append(Cell(value=sol[pos], raw=part, source=src))
                used += len(part)
                pos += 1
        return Fit(cells, None, {**detail, "split": sol})
    if not sols:
        reason = f"连写数字「{''.join(raws)}」无法拆分为{n}个满足合计关系的单元格，已留空"
    else:
        reason = f"连写数字「{''.join(raws)}」有多种拆分方式都满足合计关系，无法确定，已留空"
        detail["splits"] = sols
    return Fit(None, reason, detail)


def fit(
    values: list[ValueTok],
    n: int,
    *,
    positional: bool,
    accept: Accept | None = None,
    decimal: tuple[bool, ...] | None = None,
) -> Fit:
    """Cells for one row, or None with a Chinese reason."""
    dec = decimal or (False,) * n
    filled = [v for v in values if v.raw.strip()]
    if not filled:
        src = values[0].source if values else None
        return Fit([Cell(value=None, raw=None, source=src) for _ in range(n)])
    too_long = any(len(norm(v.raw)) > MAX_CELL_DIGITS and norm(v.raw).isdigit() for v in filled)
    glued = any(v.glued for v in filled)
    if (too_long or glued) and accept is not None and len(filled) < n:
        return _split(filled, n, accept, False)
    if positional and len(values) >= n:
        window = _choose_window(values, n, accept)
        if window is None:
            return Fit(
                None,
                f"该行有{len(filled)}个非空单元格，多于应有的{n}个，无法对应到列，已留空",
                {"found": [norm(v.raw) for v in filled], "expected_cells": n},
            )
        return Fit([_cell(t, dec[i]) for i, t in enumerate(window)])
    if not positional and len(values) == n:
        return Fit([_cell(t, dec[i]) for i, t in enumerate(values)])
    if len(filled) > n:
        return Fit(
            None,
            f"该行读到{len(filled)}个数值，多于应有的{n}个，无法对应到列，已留空",
            {"found": [norm(v.raw) for v in filled], "expected_cells": n},
        )
    return _split(filled, n, accept, False)
