"""Put a record's value tokens into the n cells a row must have.

Real cells (grid) keep blanks and are aligned inside a possibly padded window;
stream tokens must number exactly n. Anything shorter is a flattened digit run: its
readings (every split whose sums hold, ``reports.parse.splits``) are returned for the
table to decide between (``reports.parse.decide``); nothing here guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.model import Cell
from reports.parse.records import ValueTok
from reports.parse.splits import MAX_CELL_DIGITS, Budget, SumGroup, row_splits
from reports.parse.values import norm, parse_number


@dataclass
class Fit:
    cells: list[Cell] | None  # the row as printed, when its cells are certain
    reason: str | None = None  # Chinese, when cells is None and there are no readings
    detail: dict[str, Any] = field(default_factory=dict)
    # Flattened rows: every reading whose sums hold (inferred cells), and the digits they came from.
    readings: list[list[Cell]] = field(default_factory=list)
    digits: str | None = None
    complete: bool = True  # False when the split search hit its cap or budget
    blank_possible: bool = False  # a reading with an empty cell fits the digits too (rows without sums)

    @property
    def flattened(self) -> bool:
        return self.digits is not None


def _cell(tok: ValueTok, decimal: bool) -> Cell:
    raw = norm(tok.raw)
    return Cell(value=parse_number(raw, decimal=decimal), raw=raw or None, source=tok.source)


def _sums_hold(values: list[int | None], groups: tuple[SumGroup, ...]) -> bool:
    for g in groups:
        parts = [values[i] for i in g.parts]
        total = values[g.total]
        known = [v for v in parts if v is not None]
        if total is None or len(known) < len(parts) or sum(known) != total:
            return False
    return True


def _as_ints(cells: list[ValueTok]) -> list[int | None]:
    out: list[int | None] = []
    for t in cells:
        v = parse_number(t.raw)
        out.append(v if isinstance(v, int) else None)
    return out


def _choose_window(values: list[ValueTok], n: int, groups: tuple[SumGroup, ...]) -> list[ValueTok] | None:
    """The n-cell sub-window holding every filled cell; copy-outs pad rows with empty cells."""
    options = []
    for o in range(len(values) - n + 1):
        outside = values[:o] + values[o + n :]
        if all(not v.raw.strip() for v in outside):
            options.append(values[o : o + n])
    if not options:
        return None
    if len(options) > 1 and groups:
        consistent = [w for w in options if _sums_hold(_as_ints(w), groups)]
        if consistent:
            return consistent[0]
        with_total = [w for w in options if w[-1].raw.strip()]
        if with_total:
            return with_total[0]
    return options[0]


def _leading_zero(raw: str) -> bool:
    return len(raw) > 1 and raw.isdigit() and raw[0] == "0"


def _split(filled: list[ValueTok], n: int, groups: tuple[SumGroup, ...], budget: Budget | None) -> Fit:
    raws = [norm(v.raw) for v in filled]
    digits = " ".join(raws)
    detail: dict[str, Any] = {"found": raws, "expected_cells": n}
    capacity = sum(len(r) if r.isdigit() else 1 for r in raws)
    if capacity < n:
        return Fit(
            None, f"该行应有{n}个单元格，只读到{len(raws)}个数值，无法确定各数值所在的列，已留空", detail
        )
    sp = row_splits(raws, n, groups, budget=budget)
    blank_possible = False
    if not groups and sp.readings:
        # No sum to check: an empty cell leaves no trace in flattened text (「100」 may be
        # 10|空|0), so a reading is certain only when no reading with fewer cells exists.
        blank_possible = any(
            row_splits(raws, k, (), cap=1, budget=budget).readings for k in range(len(raws), n)
        )
    readings: list[list[Cell]] = []
    for parts in sp.readings:
        row = []
        for p in parts:
            src = filled[p.token].source.model_copy(update={"inferred": True})
            row.append(Cell(value=p.value, raw=p.raw, source=src))
        readings.append(row)
    fit = Fit(
        None, None, {**detail, "readings": len(readings)}, readings, digits, sp.complete, blank_possible
    )
    if not readings:
        fit.reason = (
            f"连写数字「{digits}」无法拆分为{n}个满足合计关系的单元格，已留空"
            if groups
            else f"连写数字「{digits}」无法拆分为{n}个单元格，已留空"
        )
        if not sp.complete:
            fit.reason = f"连写数字「{digits}」的拆分超出计算上限，已留空"
    return fit


def fit(
    values: list[ValueTok],
    n: int,
    *,
    positional: bool,
    groups: tuple[SumGroup, ...] = (),
    decimal: tuple[bool, ...] | None = None,
    budget: Budget | None = None,
) -> Fit:
    """Cells for one row, its readings when flattened, or None with a Chinese reason."""
    dec = decimal or (False,) * n
    filled = [v for v in values if v.raw.strip()]
    if not filled:
        src = values[0].source if values else None
        return Fit([Cell(value=None, raw=None, source=src) for _ in range(n)])
    raws = [norm(v.raw) for v in filled]
    too_long = any(len(r) > MAX_CELL_DIGITS and r.isdigit() for r in raws)
    glued = any(v.glued for v in filled) or any(_leading_zero(r) for r in raws)
    if (too_long or glued) and len(filled) < n:
        return _split(filled, n, groups, budget)
    if positional and len(values) >= n:
        window = _choose_window(values, n, groups)
        if window is None:
            return Fit(
                None,
                f"该行有{len(filled)}个非空单元格，多于应有的{n}个，无法对应到列，已留空",
                {"found": raws, "expected_cells": n},
            )
        return Fit([_cell(t, dec[i]) for i, t in enumerate(window)])
    if not positional and len(values) == n:
        return Fit([_cell(t, dec[i]) for i, t in enumerate(values)])
    if len(filled) > n:
        return Fit(
            None,
            f"该行读到{len(filled)}个数值，多于应有的{n}个，无法对应到列，已留空",
            {"found": raws, "expected_cells": n},
        )
    return _split(filled, n, groups, budget)
