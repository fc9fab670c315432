"""Arithmetic identities the form states about itself (tables 三 and 四) and value ranges.

These are errors: a report whose own sums disagree contradicts itself. When an
identity's inputs are blank the rule says so (``cannot_assess``) instead of passing
or failing, because blank is not zero. A table that was not found at all yields
nothing here: TABLES already reports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from reports.checks._common import Number, fmt, fmt_gap, short_row_label, t2_ref, t3_ref, t4_ref
from reports.checks.base import STATUS_CANNOT_ASSESS, CheckContext, Finding, Severity, rule
from reports.form import (
    DECIMAL_CELLS,
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_COLUMN_LABELS,
    TABLE3_COLUMNS,
    TABLE4_CELL_LABELS,
    TABLE4_CELLS,
    TABLE4_GROUP_LABELS,
    TABLE4_GROUPS,
    outcome_rows,
    table3_rows,
)
from reports.model import ParsedReport

# F2019 table 二 「本年增/减」 is a signed change, not a count.
SIGNED_CELLS = frozenset({"change"})
# Money cells: F2021 fee in 万元; F2019 procurement amount (names from the parser's form additions).
DECIMAL_CELL_NAMES = frozenset({"amount", "amount_wan_yuan"})

BALANCE_IN = ("new", "carried_over")
BALANCE_OUT = ("outcome_total", "carried_forward")
T4_PARTS = ("upheld", "corrected", "other", "pending")


def _t3_row_keys(report: ParsedReport) -> list[str]:
    return [r.key for r in table3_rows(report.form)]


def _cannot_assess(
    rule_id: str, message: str, anchor: dict[str, Any], blank: list[dict[str, Any]]
) -> Finding:
    return Finding(
        rule=rule_id,
        severity=Severity.INFO,
        message=message,
        evidence={"anchor": anchor, "blank_cells": blank},
        status=STATUS_CANNOT_ASSESS,
    )


def _whole_table_blank(
    report: ParsedReport, table_key: str, rule_id: str, table_no: int, identity: str, values: Iterable[Any]
) -> list[Finding] | None:
    """One note for a table with no figures at all, instead of one per identity.

    Returns None when the table has figures (check it), [] when TABLES covers it.
    """
    if any(v is not None for v in values):
        return None
    if not report.tables_found.get(table_key, False):
        return []
    name = {3: "表三", 4: "表四"}[table_no]
    return [
        _cannot_assess(
            rule_id,
            f"{name}所有单元格均为空白，无法核验勾稽关系",
            {"table": table_no, "identity": identity, "scope": "table"},
            [],
        )
    ]


def _t3_values(report: ParsedReport) -> list[Number | None]:
    return [report.t3(r, c) for r in _t3_row_keys(report) for c in TABLE3_COLUMNS]


def _cells(report: ParsedReport, rows: Iterable[str], column: str) -> list[dict[str, Any]]:
    return [{**t3_ref(r, column), "value": report.t3(r, column)} for r in rows]


def _mismatch(
    rule_id: str,
    message: str,
    anchor: dict[str, Any],
    cells: list[dict[str, Any]],
    values_key: str,
    expected: Number,
    actual: Number,
    **where: Any,
) -> Finding:
    """An identity that does not hold, with the evidence every arithmetic rule gives."""
    return Finding(
        rule=rule_id,
        severity=Severity.ERROR,
        message=f"{message}，相差{fmt_gap(actual, expected)}",
        evidence={
            "anchor": anchor,
            "table": anchor["table"],
            **where,
            "cells": cells,
            "values": {c[values_key]: c["value"] for c in cells},
            "expected": expected,
            "actual": actual,
            "difference": actual - expected,
        },
    )


def _adds_up(parts: list[Number | None], total: Number | None) -> bool:
    """Every cell filled and the parts sum to the total: nothing to say, no evidence to build
    (most rows of most reports; building it for each was a fifth of the checks)."""
    filled = [p for p in parts if p is not None]
    return total is not None and len(filled) == len(parts) and sum(filled) == total


def _blank_names(cells: list[dict[str, Any]], name_key: str) -> str:
    return "、".join(f"“{c[name_key]}”" for c in cells)


@rule(
    "T3-BALANCE",
    Severity.ERROR,
    "表三收支平衡",
    "表三每一列：本年新收＋上年结转＝办理结果总计＋结转下年度（表头注明的勾稽关系）。",
    needs=("requests",),
    order=1,
)
def t3_balance(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """New plus carried-over requests must equal outcomes plus carried-forward, per column."""
    whole = _whole_table_blank(report, "requests", "T3-BALANCE", 3, "balance", _t3_values(report))
    if whole is not None:
        return whole
    findings: list[Finding] = []
    for col in TABLE3_COLUMNS:
        col_label = TABLE3_COLUMN_LABELS[col]
        anchor = {"table": 3, "column": col, "identity": "balance"}
        cells = _cells(report, (*BALANCE_IN, *BALANCE_OUT), col)
        blank = [c for c in cells if c["value"] is None]
        if blank:
            findings.append(
                _cannot_assess(
                    "T3-BALANCE",
                    f"表三“{col_label}”列的收支平衡无法核验：{_blank_names(blank, 'row_label')}为空白",
                    anchor,
                    blank,
                )
            )
            continue
        new, carried_over, outcome_total, carried_forward = (c["value"] for c in cells)
        expected = new + carried_over
        actual = outcome_total + carried_forward
        if expected == actual:
            continue
        findings.append(
            _mismatch(
                "T3-BALANCE",
                f"表三“{col_label}”列：新收({fmt(new)})+上年结转({fmt(carried_over)})={fmt(expected)}，"
                f"但办理结果总计({fmt(outcome_total)})+结转下年度({fmt(carried_forward)})={fmt(actual)}",
                anchor,
                cells,
                "row",
                expected,
                actual,
                column=col,
                column_label=col_label,
            )
        )
    return findings


@rule(
    "T3-OUTCOME-SUM",
    Severity.ERROR,
    "表三办理结果合计",
    "表三每一列：“(七)总计”等于各项办理结果之和（F2021 为21项；F2019 及只列一行“(六)其他处理”的 F2021 混合格式为19项）。",
    needs=("requests",),
    order=2,
)
def t3_outcome_sum(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """(七)总计 must add up the outcome rows of the report's own form version."""
    whole = _whole_table_blank(report, "requests", "T3-OUTCOME-SUM", 3, "outcome_sum", _t3_values(report))
    if whole is not None:
        return whole
    rows = outcome_rows(report.form)
    findings: list[Finding] = []
    for col in TABLE3_COLUMNS:
        if _adds_up([report.t3(r, col) for r in rows], report.t3("outcome_total", col)):
            continue
        col_label = TABLE3_COLUMN_LABELS[col]
        anchor = {"table": 3, "column": col, "identity": "outcome_sum"}
        cells = _cells(report, rows, col)
        total_cell = {**t3_ref("outcome_total", col), "value": report.t3("outcome_total", col)}
        blank = [c for c in [*cells, total_cell] if c["value"] is None]
        if blank:
            findings.append(
                _cannot_assess(
                    "T3-OUTCOME-SUM",
                    f"表三“{col_label}”列的办理结果合计无法核验：{_blank_names(blank, 'row_label')}为空白",
                    anchor,
                    blank,
                )
            )
            continue
        expected = sum(c["value"] for c in cells)
        actual = total_cell["value"]
        if expected == actual:
            continue
        findings.append(
            _mismatch(
                "T3-OUTCOME-SUM",
                f"表三“{col_label}”列：{len(rows)}项办理结果之和为{fmt(expected)}，但“(七)总计”填{fmt(actual)}",
                anchor,
                cells,
                "row",
                expected,
                actual,
                column=col,
                column_label=col_label,
                row="outcome_total",
                row_label=total_cell["row_label"],
            )
        )
    return findings


@rule(
    "T3-ROW-SUM",
    Severity.ERROR,
    "表三行合计",
    "表三每一行：“总计”列等于自然人及五类法人或其他组织六列之和。",
    needs=("requests",),
    order=3,
)
def t3_row_sum(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Each row's 总计 must be the sum of the six applicant columns."""
    whole = _whole_table_blank(report, "requests", "T3-ROW-SUM", 3, "row_sum", _t3_values(report))
    if whole is not None:
        return whole
    findings: list[Finding] = []
    for row in _t3_row_keys(report):
        if _adds_up([report.t3(row, c) for c in TABLE3_APPLICANT_COLUMNS], report.t3(row, "total")):
            continue
        label = short_row_label(row)
        anchor = {"table": 3, "row": row, "identity": "row_sum"}
        cells = [{**t3_ref(row, c), "value": report.t3(row, c)} for c in TABLE3_APPLICANT_COLUMNS]
        total_cell = {**t3_ref(row, "total"), "value": report.t3(row, "total")}
        blank = [c for c in [*cells, total_cell] if c["value"] is None]
        if blank:
            findings.append(
                _cannot_assess(
                    "T3-ROW-SUM",
                    f"表三“{label}”行的合计无法核验：{_blank_names(blank, 'column_label')}列为空白",
                    anchor,
                    blank,
                )
            )
            continue
        expected = sum(c["value"] for c in cells)
        actual = total_cell["value"]
        if expected == actual:
            continue
        findings.append(
            _mismatch(
                "T3-ROW-SUM",
                f"表三“{label}”行：六类申请人合计{fmt(expected)}，但“总计”列填{fmt(actual)}",
                anchor,
                cells,
                "column",
                expected,
                actual,
                row=row,
                row_label=total_cell["row_label"],
                column="total",
                column_label=TABLE3_COLUMN_LABELS["total"],
            )
        )
    return findings


@rule(
    "T4-SUM",
    Severity.ERROR,
    "表四分组合计",
    "表四行政复议、未经复议直接起诉、复议后起诉三组：总计＝结果维持＋结果纠正＋其他结果＋尚未审结。",
    needs=("review_litigation",),
    order=4,
)
def t4_sum(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Each group's 总计 in table 四 must add up its four result cells."""
    values = [report.t4(g, c) for g in TABLE4_GROUPS for c in TABLE4_CELLS]
    whole = _whole_table_blank(report, "review_litigation", "T4-SUM", 4, "group_sum", values)
    if whole is not None:
        return whole
    findings: list[Finding] = []
    for group in TABLE4_GROUPS:
        g_label = TABLE4_GROUP_LABELS[group]
        anchor = {"table": 4, "group": group, "identity": "group_sum"}
        cells = [{**t4_ref(group, c), "value": report.t4(group, c)} for c in T4_PARTS]
        total_cell = {**t4_ref(group, "total"), "value": report.t4(group, "total")}
        blank = [c for c in [*cells, total_cell] if c["value"] is None]
        if blank:
            findings.append(
                _cannot_assess(
                    "T4-SUM",
                    f"表四“{g_label}”的合计无法核验：{_blank_names(blank, 'cell_label')}为空白",
                    anchor,
                    blank,
                )
            )
            continue
        expected = sum(c["value"] for c in cells)
        actual = total_cell["value"]
        if expected == actual:
            continue
        parts = "+".join(f"{TABLE4_CELL_LABELS[c['cell']]}({fmt(c['value'])})" for c in cells)
        findings.append(
            _mismatch(
                "T4-SUM",
                f"表四“{g_label}”：{parts}={fmt(expected)}，但总计填{fmt(actual)}",
                anchor,
                cells,
                "cell",
                expected,
                actual,
                group=group,
                group_label=g_label,
                cell="total",
                cell_label=TABLE4_CELL_LABELS["total"],
            )
        )
    return findings


def _range_problem(value: Number, decimal_cell: bool) -> str | None:
    """Why a value is out of range, or None when it is fine."""
    if isinstance(value, bool):
        return "不是数字"
    if decimal_cell:
        if isinstance(value, Decimal) and not value.is_finite():
            return "不是有效金额"
        return "金额不能为负数" if value < 0 else None
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return "件数应为整数"
    return "件数不能为负数" if value < 0 else None


@rule(
    "NUM-RANGE",
    Severity.ERROR,
    "数值范围",
    "表二、三、四的件数须为非负整数，行政事业性收费金额（F2019 为采购总金额）须为非负数；F2019 的“本年增/减”可为负。",
    order=5,
)
def num_range(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Counts cannot be negative or fractional; the fee cannot be negative."""
    findings: list[Finding] = []
    candidates: list[tuple[dict[str, Any], Number | None, bool]] = []
    for row, cells in report.proactive.items():
        for cell, c in cells.items():
            if cell in SIGNED_CELLS:
                continue
            money = (row, cell) in DECIMAL_CELLS or cell in DECIMAL_CELL_NAMES
            candidates.append((t2_ref(row, cell), c.value, money))
    for row, cells in report.requests.items():
        for col, c in cells.items():
            candidates.append((t3_ref(row, col), c.value, False))
    for group, cells in report.review_litigation.items():
        for cell, c in cells.items():
            candidates.append((t4_ref(group, cell), c.value, False))
    for ref, value, decimal_cell in candidates:
        if value is None:
            continue
        problem = _range_problem(value, decimal_cell)
        if problem is None:
            continue
        if ref["table"] == 4:
            where = f"表四“{ref['group_label']}·{ref['cell_label']}”"
            anchor = {"table": 4, "group": ref["group"], "cell": ref["cell"]}
        else:
            name = "表二" if ref["table"] == 2 else "表三"
            row_label = ref["row_label"] if ref["table"] == 2 else short_row_label(ref["row"])
            where = f"{name}“{row_label}”行“{ref['column_label']}”"
            anchor = {"table": ref["table"], "row": ref["row"], "column": ref["column"]}
        findings.append(
            Finding(
                rule="NUM-RANGE",
                severity=Severity.ERROR,
                message=f"{where}填{fmt(value)}，{problem}",
                evidence={
                    "anchor": {**anchor, "identity": "range"},
                    **ref,
                    "value": value,
                    "expected": "非负数" if decimal_cell else "非负整数",
                    "actual": value,
                },
            )
        )
    return findings
