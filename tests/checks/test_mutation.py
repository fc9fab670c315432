"""Change one cell at a time by +1 and check the arithmetic rules catch exactly what breaks.

The expected identities come from the form (spec §4), not from the code under test:
a table 三 cell sits in its row's sum, in its column's balance (rows 一, 二, (七), 四)
and in its column's outcome sum (outcome rows and (七)); the 总计 column's cells also
sit in that column's own identities. A table 四 cell sits in its group's sum.
"""

from __future__ import annotations

import pytest

from reports.checks import run_checks
from reports.checks.base import STATUS_FAIL, CheckContext
from reports.form import TABLE3_COLUMNS, TABLE4_CELLS, TABLE4_GROUPS, Form, outcome_rows, table3_rows
from tests.checks.factory import consistent_report, set_t3, set_t4
from tests.known import known

ARITHMETIC = {"T3-BALANCE", "T3-OUTCOME-SUM", "T3-ROW-SUM", "T4-SUM", "NUM-RANGE"}
BALANCE_ROWS = {"new", "carried_over", "outcome_total", "carried_forward"}


def _arithmetic_failures(report) -> set[tuple[str, tuple]]:
    return {
        (f.rule, tuple(sorted(f.evidence["anchor"].items())))
        for f in run_checks(report, CheckContext())
        if f.rule in ARITHMETIC
    }


def _t3_expected(form: Form, row: str, col: str) -> set[tuple[str, tuple]]:
    expected = {("T3-ROW-SUM", (("identity", "row_sum"), ("row", row), ("table", 3)))}
    if row in BALANCE_ROWS:
        expected.add(("T3-BALANCE", (("column", col), ("identity", "balance"), ("table", 3))))
    if row in outcome_rows(form) or row == "outcome_total":
        expected.add(("T3-OUTCOME-SUM", (("column", col), ("identity", "outcome_sum"), ("table", 3))))
    return expected


@pytest.mark.parametrize("form", [Form.F2021, Form.F2019])
def test_consistent_report_has_no_arithmetic_finding(form: Form) -> None:
    assert _arithmetic_failures(consistent_report(form, year=2024 if form == Form.F2021 else 2020)) == set()


@pytest.mark.parametrize("form", [Form.F2021, Form.F2019])
def test_every_table3_mutation_is_caught(form: Form) -> None:
    year = 2024 if form == Form.F2021 else 2020
    rows = [r.key for r in table3_rows(form)]
    assert len(rows) * len(TABLE3_COLUMNS) == (25 if form == Form.F2021 else 23) * 7
    for row in rows:
        for col in TABLE3_COLUMNS:
            report = consistent_report(form, year=year)
            set_t3(report, row, col, known(report.t3(row, col)) + 1)
            assert _arithmetic_failures(report) == _t3_expected(form, row, col), (row, col)


def test_every_table4_mutation_is_caught() -> None:
    for group in TABLE4_GROUPS:
        for cell in TABLE4_CELLS:
            report = consistent_report()
            set_t4(report, group, cell, known(report.t4(group, cell)) + 1)
            failures = _arithmetic_failures(report)
            assert failures == {("T4-SUM", (("group", group), ("identity", "group_sum"), ("table", 4)))}, (
                group,
                cell,
            )


def test_mutations_are_failures_not_notes() -> None:
    report = consistent_report()
    set_t3(report, "unable_unclear", "other_org", known(report.t3("unable_unclear", "other_org")) + 1)
    statuses = {f.status for f in run_checks(report) if f.rule in ARITHMETIC}
    assert statuses == {STATUS_FAIL}
