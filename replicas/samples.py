"""Valid reports with realistic figures: fixtures for flattened, PDF and hybrid parsing, and the bench.

Tables 三 and 四 add up (rows, columns, 一+二=(七)+四); most figures are 0 or small, as
in real district reports. Flattened text keeps no trace of an empty cell, so tables 三 and
四 have no blanks; table 二 has some (``t2_blank``), which a parser must never fill.
"""

from __future__ import annotations

import random
from decimal import Decimal

from reports.form import (
    SECTION_KEYS,
    SECTION_LABELS,
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    outcome_rows,
    table2_rows,
)
from reports.model import Cell, ParsedReport, Section

AGENCIES = ("某某区民政局", "湛河区工信局", "某县人民政府办公室", "新华区应急管理局")


def _small(rnd: random.Random, sparse: bool) -> int:
    if rnd.random() < (0.8 if sparse else 0.5):
        return 0
    return rnd.choice([1, 1, 2, 3, 4, 5, 7, 9, 10, 12, 15, 20, 31, 64, 100, 250])


def sample_report(
    rnd: random.Random,
    form: Form = Form.F2021,
    *,
    agency: str = "某某区民政局",
    year: int = 2024,
    sparse: bool = False,
    t2_blank: float = 0.15,
) -> ParsedReport:
    r = ParsedReport(form=form, year=year, agency=agency, title=f"{agency}{year}年政府信息公开工作年度报告")
    r.sections = {
        k: Section(present=True, heading=SECTION_LABELS[k], text=f"本部分说明{SECTION_LABELS[k][2:]}。")
        for k in SECTION_KEYS
    }
    for row, cells in table2_rows(form).items():
        for c in cells:
            if rnd.random() < t2_blank:
                v: int | Decimal | None = None
            elif c == "amount_wan_yuan":
                v = Decimal(rnd.randint(0, 999)) / 10
            else:
                v = _small(rnd, sparse)
            r.proactive[row][c] = Cell(value=v)
    rows = outcome_rows(form)
    t3 = {k: [_small(rnd, sparse) for _ in TABLE3_APPLICANT_COLUMNS] for k in rows}
    t3["outcome_total"] = [sum(t3[k][i] for k in rows) for i in range(6)]
    t3["carried_forward"] = [_small(rnd, True) for _ in range(6)]
    t3["carried_over"] = [min(_small(rnd, True), t3["outcome_total"][i]) for i in range(6)]
    t3["new"] = [t3["outcome_total"][i] + t3["carried_forward"][i] - t3["carried_over"][i] for i in range(6)]
    r.requests = ParsedReport.empty_table3(form)
    for key, vals in t3.items():
        for c, v in zip(TABLE3_COLUMNS, [*vals, sum(vals)], strict=True):
            r.requests[key][c] = Cell(value=v)
    for g in TABLE4_GROUPS:
        vals = [rnd.choice([0, 0, 0, 1, 2, 3, 5, 12]) for _ in range(4)]
        for c, v in zip(TABLE4_CELLS, [*vals, sum(vals)], strict=True):
            r.review_litigation[g][c] = Cell(value=v)
    return r
