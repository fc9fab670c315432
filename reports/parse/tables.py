"""Recognisers for tables 二, 三 and 四 over row records.

Rows are identified by their label markers (reports.form) in canonical order, never
by position: copy-outs drop group labels and shift cells, PDFs break labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.form import (
    TABLE2_ROW_LABELS,
    TABLE2_ROW_LABELS_F2019,
    TABLE2_ROW_MARKERS,
    TABLE2_ROWS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    RowSpec,
    outcome_rows,
    table2_decimal_cells,
    table2_rows,
    table3_rows,
)
from reports.model import Cell, ParseProblem, RowDecoding
from reports.parse.decide import TABLE_BUDGET, RowFit, decide
from reports.parse.fit import fit
from reports.parse.records import Record
from reports.parse.rowmatch import row_matcher
from reports.parse.splits import Budget, SumGroup

T3_NAMES = "表三（收到和处理政府信息公开申请情况）"
T2_NAMES = "表二（主动公开政府信息情况）"
T4_NAMES = "表四（政府信息公开行政复议、行政诉讼情况）"


@dataclass
class TableResult:
    cells: dict[str, dict[str, Cell]]
    found: bool = False
    problems: list[ParseProblem] = field(default_factory=list)
    decoding: list[RowDecoding] = field(default_factory=list)


T3_GROUPS = (SumGroup(parts=(0, 1, 2, 3, 4, 5), total=6),)
T4_GROUPS = tuple(SumGroup(parts=tuple(range(5 * g, 5 * g + 4)), total=5 * g + 4) for g in range(3))


def _labelled(records: list[Record]) -> list[tuple[str, Record]]:
    """Records that carry cells (maybe all blank), each with the label to identify it by.

    A value row without a label of its own borrows the label-only row just before it.
    """
    out: list[tuple[str, Record]] = []
    pending = ""
    for rec in records:
        if not rec.values:
            pending = rec.label or pending
            continue
        out.append((rec.label or pending, rec))
        pending = ""
    return out


def _assign_rows(
    records: list[Record],
    specs: list[RowSpec],
    ncols: dict[str, int],
    table: str,
    groups: tuple[SumGroup, ...],
    decimal: dict[str, tuple[bool, ...]],
    budget: Budget,
) -> tuple[dict[str, RowFit], set[str], list[ParseProblem]]:
    """Match records to rows in canonical order and fit their cells.

    Returns the fitted rows, the rows seen printed but entirely blank, and problems.
    Blank rows never move the order pointer: a header row holding 「总计」 must not
    be taken for the (七) 总计 row.
    """
    found: dict[str, RowFit] = {}
    blank_seen: set[str] = set()
    problems: list[ParseProblem] = []
    pointer = 0
    labelled = _labelled(records)
    rows = row_matcher(tuple(specs))
    for idx, (label, rec) in enumerate(labelled):
        if not rec.filled:
            j = rows.match_row(label, pointer)
            if j is not None:
                blank_seen.add(specs[j].key)
            continue
        src = rec.source.model_dump() if rec.source else None
        following = labelled[idx + 1][0] if idx + 1 < len(labelled) else ""
        j, used = rows.match_with_continuation(label, following, pointer)
        if used:
            labelled[idx + 1] = (following[len(used) :], labelled[idx + 1][1])
            label += used
        if j is None:
            k = rows.match_row(label, 0)
            if k is not None and specs[k].key in found:
                problems.append(
                    ParseProblem(
                        where=f"{table}.{specs[k].key}",
                        reason=f"「{specs[k].label}」行重复出现，已按第一次出现的取值",
                        detail={"label": label, "source": src},
                    )
                )
                continue
            if k is None:
                if label:
                    problems.append(
                        ParseProblem(
                            where=table,
                            reason=f"无法识别的表格行「{label[:40]}」，其数值未采用",
                            detail={"values": [v.raw for v in rec.filled], "source": src},
                        )
                    )
                else:
                    problems.append(
                        ParseProblem(
                            where=table,
                            reason="有一行数值没有行标题，无法确定属于哪一行，未采用",
                            detail={"values": [v.raw for v in rec.filled], "source": src},
                        )
                    )
                continue
            j = k
        if j > pointer:
            blank_seen.update(specs[i].key for i in rows.named_before(label, pointer, j))
        spec = specs[j]
        res = fit(
            rec.values,
            ncols[spec.key],
            positional=rec.positional,
            groups=groups,
            decimal=decimal.get(spec.key),
            budget=budget,
        )
        found[spec.key] = RowFit(spec.key, spec.label, res, src)
        pointer = max(pointer, j + 1)
    return found, blank_seen, problems


def _labels_then_values(records: list[Record], specs: list[RowSpec], ncols: int) -> Record | None:
    """A record holding many rows' labels and then their figures in one run.

    Some PDF extractors emit the row labels first and then the figures column by column
    (all 自然人, then all 商业企业 …): the figures no longer follow their rows.
    """
    for rec in records:
        if rec.positional or len(rec.filled) < 2 * ncols:
            continue
        named = {s.key for s in specs if any(m in rec.label for m in s.markers if len(m) > 2)}
        if len(named) >= 3:
            return rec
    return None


def single_other_row(records: list[Record]) -> bool:
    """Table 三 prints one (六)其他处理 row with figures and none of F2021's three (六) rows.

    That is the hybrid form (F2021 tables with F2019's single row), read with its own rows.
    """
    other = any("其他处理" in r.label and r.filled for r in records)
    split = any(m in r.label for r in records for m in ("不补正", "缴纳费用", "收费通知"))
    return other and not split


def read_table3(records: list[Record], form: Form) -> TableResult:
    specs = list(table3_rows(form))
    cells = {s.key: {c: Cell() for c in TABLE3_COLUMNS} for s in specs}
    dump = _labels_then_values(records, specs, len(TABLE3_COLUMNS))
    if dump is not None:
        return TableResult(
            cells,
            True,
            [
                ParseProblem(
                    where="table3",
                    reason=f"{T3_NAMES}的数值没有跟在各自的行标题之后（先列出各行标题，再连续列出"
                    f"{len(dump.filled)}个数值，可能是按列提取的文字），无法确定各数值所在的单元格，整表留空",
                    detail={
                        "values": [v.raw for v in dump.filled][:200],
                        "source": dump.source.model_dump() if dump.source else None,
                    },
                )
            ],
        )
    budget = Budget(TABLE_BUDGET)
    found, blank, problems = _assign_rows(
        records, specs, {s.key: 7 for s in specs}, "table3", T3_GROUPS, {}, budget
    )
    if not found and not blank:
        return TableResult(
            cells, False, [ParseProblem(where="table3", reason=f"未找到{T3_NAMES}的数据单元格")]
        )
    decided = decide(list(found.values()), "table3", has_sums=True, outcome=outcome_rows(form), budget=budget)
    problems.extend(decided.problems)
    for spec in specs:
        if spec.key in blank and spec.key not in found:
            continue
        if spec.key not in found:
            problems.append(
                ParseProblem(
                    where=f"table3.{spec.key}", reason=f"表三中未找到「{spec.label}」行，该行单元格留空"
                )
            )
            continue
        row = decided.cells.get(spec.key)
        if row is not None:
            cells[spec.key] = dict(zip(TABLE3_COLUMNS, row, strict=True))
    return TableResult(cells, True, problems, decided.decoding)


def read_table2(records: list[Record], form: Form) -> TableResult:
    rows = table2_rows(form)
    names = TABLE2_ROW_LABELS_F2019 if form == Form.F2019 else TABLE2_ROW_LABELS
    specs = [RowSpec(k, names[k], TABLE2_ROW_MARKERS[k]) for k in rows]
    dec_cells = table2_decimal_cells(form)
    cells: dict[str, dict[str, Cell]] = {r: {c: Cell() for c in cs} for r, cs in TABLE2_ROWS.items()}
    for r, cs in rows.items():
        cells.setdefault(r, {})
        for c in cs:
            cells[r].setdefault(c, Cell())
    found, blank, problems = _assign_rows(
        records,
        specs,
        {r: len(cs) for r, cs in rows.items()},
        "table2",
        (),
        {r: tuple((r, c) in dec_cells for c in cs) for r, cs in rows.items()},
        Budget(TABLE_BUDGET),
    )
    if not found and not blank:
        return TableResult(
            cells, False, [ParseProblem(where="table2", reason=f"未找到{T2_NAMES}的数据单元格")]
        )
    decided = decide(list(found.values()), "table2", has_sums=False)
    problems.extend(decided.problems)
    for r, cs in rows.items():
        if r in blank and r not in found:
            continue
        if r not in found:
            problems.append(
                ParseProblem(
                    where=f"table2.{r}", reason=f"表二中未找到「{names.get(r, r)}」行，该行单元格留空"
                )
            )
            continue
        row = decided.cells.get(r)
        if row is not None:
            cells[r].update(dict(zip(cs, row, strict=True)))
    return TableResult(cells, True, problems, decided.decoding)


def _is_table4_header(label: str) -> bool:
    """The column header row of table 四 (「结果维持 结果纠正 其他结果 尚未审结 总计」)."""
    return all(word in label for word in ("结果维持", "结果纠正", "尚未审结"))


def read_table4(records: list[Record]) -> TableResult:
    cells = {g: {c: Cell() for c in TABLE4_CELLS} for g in TABLE4_GROUPS}
    with_vals = [r for r in records if r.filled]
    if not with_vals:
        if any(_is_table4_header(r.label) for r in records):
            return TableResult(cells, True, [])  # printed with every cell blank: the checks say so
        return TableResult(
            cells, False, [ParseProblem(where="table4", reason=f"未找到{T4_NAMES}的数据单元格")]
        )
    best = max(with_vals, key=lambda r: len(r.filled))
    values = best.values
    positional = best.positional
    if not positional and len(best.values) < 15:
        merged = [v for r in with_vals for v in r.values]
        if len(merged) == 15:
            values = merged
    res = fit(values, 15, positional=positional, groups=T4_GROUPS)
    src = best.source.model_dump() if best.source else None
    decided = decide([RowFit("", "表四数据行", res, src)], "table4", has_sums=True)
    row = decided.cells.get("")
    if row is not None:
        for i, cell in enumerate(row):
            cells[TABLE4_GROUPS[i // 5]][TABLE4_CELLS[i % 5]] = cell
    return TableResult(cells, True, decided.problems, decided.decoding)
