"""The standard form's tables laid out as printed on real pages: the rows of tables 二, 三 and
四 with their rowspan/colspan cells and labels. The OCR reader matches scanned rows against
this layout (`reports/parse/ocrlabels.py`); the replicas render fixtures from it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reports.form import (
    TABLE2_CELL_LABELS,
    TABLE2_CELL_LABELS_F2019,
    TABLE2_ROW_LABELS,
    TABLE2_ROW_LABELS_F2019,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    table2_blocks,
    table2_rows,
    table3_rows,
)
from reports.model import Cell, ParsedReport


@dataclass(frozen=True)
class RCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


Row = list[RCell]

_T3_GROUPS = {
    "refused_": "(三) 不予公开",
    "unable_": "(四) 无法提供",
    "unprocessed_": "(五) 不予处理",
    "other_": "(六) 其他处理",
}
_T3_SHORT = {
    "granted": "(一) 予以公开",
    "partly_granted": "(二) 部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other_processing": "(六) 其他处理",
    "outcome_total": "(七) 总计",
}


def _fmt(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    v = cell.value
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    return str(v)


def table2_rows_model(report: ParsedReport) -> list[Row]:
    form = Form.F2019 if report.form == Form.F2019 else Form.F2021
    rows_spec = table2_rows(form)
    row_names = TABLE2_ROW_LABELS_F2019 if form == Form.F2019 else TABLE2_ROW_LABELS
    cell_names = TABLE2_CELL_LABELS_F2019 if form == Form.F2019 else TABLE2_CELL_LABELS
    out: list[Row] = []
    for block, rows in table2_blocks(form):
        out.append([RCell(block, colspan=4)])
        cells = rows_spec[rows[0]]
        head = [RCell("信息内容")] + [RCell(cell_names[c]) for c in cells]
        if len(cells) < 3:
            head[-1] = RCell(head[-1].text, colspan=4 - len(cells))
        out.append(head)
        for r in rows:
            vals = [RCell(_fmt(report.proactive.get(r, {}).get(c))) for c in rows_spec[r]]
            if len(vals) < 3:
                vals[-1] = RCell(vals[-1].text, colspan=4 - len(vals))
            out.append([RCell(row_names[r]), *vals])
    return out


def table3_rows_model(report: ParsedReport) -> list[Row]:
    specs = table3_rows(report.form)  # F2019 and the F2021 hybrid print one (六)其他处理 row
    out: list[Row] = [
        [
            RCell("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)", 3, 3),
            RCell("申请人情况", colspan=7),
        ],
        [RCell("自然人", rowspan=2), RCell("法人或其他组织", colspan=5), RCell("总计", rowspan=2)],
        [RCell(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    outcome_span = len(specs) - 2 - 2 + 1  # outcome rows + (七)总计
    group_sizes = {
        p: sum(1 for s in specs if s.key.startswith(p) and s.key != "other_processing") for p in _T3_GROUPS
    }
    seen: set[str] = set()
    for spec in specs:
        vals = [RCell(_fmt(report.requests.get(spec.key, {}).get(c))) for c in TABLE3_COLUMNS]
        lead: Row = []
        if spec.key in ("new", "carried_over", "carried_forward"):
            lead = [RCell(spec.label, colspan=3)]
        else:
            if spec.key == "granted":
                lead.append(RCell("三、本年度办理结果", rowspan=outcome_span))
            prefix = next(
                (p for p in _T3_GROUPS if spec.key.startswith(p) and spec.key != "other_processing"), None
            )
            if prefix is None:
                lead.append(RCell(_T3_SHORT[spec.key], colspan=2))
            else:
                if prefix not in seen:
                    seen.add(prefix)
                    lead.append(RCell(_T3_GROUPS[prefix], rowspan=group_sizes[prefix]))
                head, text = spec.label.split(" ", 1)
                lead.append(RCell(f"{head[-1]}. {text}"))
        out.append(lead + vals)
    return out


def table4_rows_model(report: ParsedReport) -> list[Row]:
    names = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        [RCell("行政复议", colspan=5), RCell("行政诉讼", colspan=10)],
        [
            *(RCell(n, rowspan=2) for n in names),
            RCell("未经复议直接起诉", colspan=5),
            RCell("复议后起诉", colspan=5),
        ],
        [RCell(n) for n in names * 2],
        [RCell(_fmt(report.review_litigation[g][c])) for g in TABLE4_GROUPS for c in TABLE4_CELLS],
    ]
