"""A table's rows as fitted → cells, problems and the decoding note of every flattened row.

A row read as printed keeps its cells. A flattened row keeps its reading when only one
split adds up within the row; for table 三 several readings go to the table solve
(``reports.parse.solve``), which takes the one every consistent assignment agrees on.
Everything else stays blank with a reason that names the table, the row, the digits and
how many readings fitted. Inferred cells say so in their source, with their digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.model import Cell, ParseProblem, RowDecoding
from reports.parse.fit import Fit
from reports.parse.solve import BALANCE_IN, Solve, solve_table3
from reports.parse.splits import Budget

# Steps for one table's search: row splits and the table solve (≈0.1 s on the bench machine).
TABLE_BUDGET = 200_000
_SHOWN_READINGS = 8

_FAMILY_ZH = {
    "balance": "收支平衡（一＋二＝(七)＋四）",
    "outcome_sum": "办理结果合计（(七)＝各项办理结果之和）",
}


@dataclass
class RowFit:
    key: str
    label: str  # the form's label, for messages
    fit: Fit
    source: dict[str, Any] | None = None


@dataclass
class Decided:
    cells: dict[str, list[Cell]] = field(default_factory=dict)  # rows with cells (blank rows absent)
    problems: list[ParseProblem] = field(default_factory=list)
    decoding: list[RowDecoding] = field(default_factory=list)


def _values(cells: list[Cell]) -> tuple[object, ...]:
    return tuple(c.value for c in cells)


def _noted(cells: list[Cell], note: str) -> list[Cell]:
    return [
        c.model_copy(update={"source": c.source.model_copy(update={"note": note}) if c.source else None})
        for c in cells
    ]


def _sums_word(has_sums: bool) -> str:
    return "满足本行合计" if has_sums else "可行"


def decide(
    rows: Sequence[RowFit],
    table: str,
    *,
    has_sums: bool,
    outcome: Sequence[str] | None = None,
    budget: Budget | None = None,
) -> Decided:
    """Cells for every row in ``rows``; ``outcome`` (table 三 only) turns on the table solve."""
    budget = budget or Budget(TABLE_BUDGET)
    out = Decided()
    usable = {r.key: r for r in rows if r.fit.cells is not None or (r.fit.readings and r.fit.complete)}
    solve: Solve | None = None
    if outcome is not None and any(len(r.fit.readings) > 1 for r in usable.values()):
        options = {
            k: [_values(r.fit.cells)] if r.fit.cells is not None else [_values(x) for x in r.fit.readings]
            for k, r in usable.items()
        }
        solve = solve_table3(options, outcome, budget)
    for r in rows:
        f = r.fit
        if f.cells is not None:
            out.cells[r.key] = f.cells
            continue
        if not f.flattened:
            if f.reason:
                out.problems.append(_problem(table, r, f.reason, f.detail))
            continue
        k = len(f.readings)
        if k == 1 and f.complete and not f.blank_possible:
            note = f"由连写数字「{f.digits}」唯一拆分得到（只有这一种拆分{_sums_word(has_sums)}）"
            out.cells[r.key] = _noted(f.readings[0], note)
            out.decoding.append(_decoding(table, r, "row_split", k))
            continue
        choice = solve.decided(r.key) if solve is not None and f.complete else None
        if choice is not None:
            note = (
                f"由连写数字「{f.digits}」拆分得到：该行有{k}种拆分满足本行合计，"
                "其中只有这一种与表三的列勾稽关系一致"
            )
            out.cells[r.key] = _noted(f.readings[choice], note)
            out.decoding.append(_decoding(table, r, "identities", k))
            continue
        reason = f.reason or _blank_reason(f, k, has_sums, solve, r.key, table)
        detail = {**f.detail, "splits": [list(_values(x)) for x in f.readings[:_SHOWN_READINGS]]}
        if solve is not None:
            detail.update(consistent=solve.fitting(r.key), assignments=solve.assignments, solve=solve.status)
        out.problems.append(_problem(table, r, reason, detail))
        out.decoding.append(_decoding(table, r, "blank", k, reason))
    return out


_NOTHING_ELSE = {
    "table2": "表二没有可用于判定的合计关系",
    "table4": "表四只有这一行，没有其他勾稽关系可用于判定",
}


def _blank_reason(f: Fit, k: int, has_sums: bool, solve: Solve | None, key: str, table: str) -> str:
    head = f"连写数字「{f.digits}」"
    if not f.complete:
        return f"{head}的拆分方式过多或超出计算上限（已找到{k}种满足本行合计的拆分），无法确定，已留空"
    if f.blank_possible and k == 1:
        return f"{head}只有一种拆分为完整单元格的方式，但也可能含有空白单元格，无法确定，已留空"
    many = f"{head}有{k}种拆分方式都{_sums_word(has_sums)}"
    if solve is None:
        return f"{many}，{_NOTHING_ELSE.get(table, '表三其他各行未能读出，无法用勾稽关系判定')}，无法确定，已留空"
    if solve.status == "budget":
        return f"{many}，表三整体求解超出计算上限（{TABLE_BUDGET}步），无法确定，已留空"
    families = _families(key)
    unusable = [
        f"{_FAMILY_ZH[fam]}无法使用（{solve.unusable[fam]}）" for fam in families if fam in solve.unusable
    ]
    if unusable and len(unusable) == len(families):
        return f"{many}，" + "；".join(unusable) + "，无法确定，已留空"
    if solve.status == "inconsistent":
        return (
            f"{many}，但没有一种组合能使表三的列勾稽关系全部成立（表中数据本身可能不平衡），无法确定，已留空"
        )
    return f"{many}，其中{solve.fitting(key)}种与表三的列勾稽关系一致，无法确定，已留空"


def _families(key: str) -> list[str]:
    """The identity families a table-三 row takes part in."""
    if key in BALANCE_IN or key == "carried_forward":
        return ["balance"]
    return ["balance", "outcome_sum"] if key == "outcome_total" else ["outcome_sum"]


def _problem(table: str, r: RowFit, reason: str, detail: dict[str, Any]) -> ParseProblem:
    return ParseProblem(
        where=f"{table}.{r.key}" if r.key else table,
        reason=f"「{r.label}」行：{reason}" if r.key else f"{r.label}：{reason}",
        detail={**detail, "source": r.source},
    )


def _decoding(table: str, r: RowFit, how: str, k: int, reason: str | None = None) -> RowDecoding:
    return RowDecoding(
        where=f"{table}.{r.key}" if r.key else table,
        label=r.label,
        digits=r.fit.digits or "",
        how=how,
        readings=k,
        reason=reason,
    )
