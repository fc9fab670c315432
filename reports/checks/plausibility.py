"""Figures that are possible but unlikely for the agency: worth a person's look."""

from __future__ import annotations

from reports.checks._common import fmt, short_row_label, t2_ref, t2_value, t3_ref
from reports.checks.base import CheckContext, Finding, Severity, rule
from reports.form import TABLE2_ROWS, other_rows
from reports.levels import COUNTY_AND_BELOW
from reports.model import ParsedReport

# Only 国务院部门 and the governments of provinces and 设区的市 make 规章 (立法法 第九十一、九十三条);
# the rule holds for units of county level and below, named here by their kind.
NO_RULEMAKING_KINDS = {
    "department": "区县政府部门",
    "government": "区县人民政府",
    "aggregate": "区县人民政府",
    "town": "乡镇人民政府",
    "street": "街道办事处",
}

# 其他处理 above this share of all outcomes, once there are enough requests to judge.
OTHER_SHARE_THRESHOLD = 0.30
OTHER_SHARE_MIN_OUTCOMES = 10


@rule(
    "REGULATIONS-LEVEL",
    Severity.WARNING,
    "无规章制定权的机关填报规章",
    "区县政府及其部门、乡镇和街道没有规章制定权，表二“规章”一行应为0；不为0多半是把规范性文件或其他文件填错了行。",
    levels=COUNTY_AND_BELOW,
    needs=("proactive",),
    order=13,
)
def regulations_level(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Agencies without rule-making power reporting 规章 have usually used the wrong row."""
    kind = ctx.agency_kind if ctx.agency_kind in NO_RULEMAKING_KINDS else "department"
    if ctx.agency_level == "town" and kind not in ("town", "street"):
        kind = "town"
    present = tuple(report.proactive.get("regulations", {})) or TABLE2_ROWS["regulations"]
    cells = [{**t2_ref("regulations", c), "value": t2_value(report, "regulations", c)} for c in present]
    nonzero = [c for c in cells if c["value"] not in (None, 0)]
    if not nonzero:
        return []
    listing = "、".join(f"{c['column_label']}{fmt(c['value'])}" for c in nonzero)
    return [
        Finding(
            rule="REGULATIONS-LEVEL",
            severity=Severity.WARNING,
            message=f"{NO_RULEMAKING_KINDS[kind]}没有规章制定权，但表二“规章”一行填了{listing}，疑为填错行",
            evidence={
                "anchor": {"table": 2, "row": "regulations"},
                "agency_kind": kind,
                "table": 2,
                "row": "regulations",
                "row_label": "规章",
                "cells": cells,
                "expected": 0,
                "actual": {c["column"]: c["value"] for c in nonzero},
            },
        )
    ]


@rule(
    "OTHER-SHARE",
    Severity.INFO,
    "其他处理占比偏高",
    f"表三“总计”列中(六)其他处理占办理结果总计的比例超过{OTHER_SHARE_THRESHOLD:.0%}"
    f"（办理结果总计不少于{OTHER_SHARE_MIN_OUTCOMES}件时）时提示，可能把应归入具体情形的申请笼统计入“其他”。",
    needs=("requests",),
    order=14,
)
def other_share(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """A large 其他 share often hides refusals that should be classified."""
    rows = other_rows(report.form)
    total = report.t3("outcome_total", "total")
    values = [report.t3(r, "total") for r in rows]
    if total is None or total < OTHER_SHARE_MIN_OUTCOMES or any(v is None for v in values):
        return []
    other = sum(v for v in values if v is not None)
    share = other / total
    if share <= OTHER_SHARE_THRESHOLD:
        return []
    return [
        Finding(
            rule="OTHER-SHARE",
            severity=Severity.INFO,
            message=(
                f"表三“总计”列：(六)其他处理共{fmt(other)}件，占办理结果总计{fmt(total)}件的{float(share):.0%}，"
                f"高于{OTHER_SHARE_THRESHOLD:.0%}，请核实是否应归入具体情形"
            ),
            evidence={
                "anchor": {"table": 3, "column": "total", "identity": "other_share"},
                "table": 3,
                "column": "total",
                "column_label": "总计",
                "cells": [
                    {**t3_ref(r, "total"), "value": v, "label": short_row_label(r)}
                    for r, v in zip(rows, values, strict=True)
                ],
                "outcome_total": total,
                "other": other,
                "share": round(float(share), 4),
                "threshold": OTHER_SHARE_THRESHOLD,
            },
        )
    ]
