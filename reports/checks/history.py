"""Checks against last year's report, peer reports and earlier versions of this report.

Each rule needs its counterpart in the context. Without it (``ctx.previous`` is None,
no peers, no earlier version) the rule returns nothing at all — absence of history is
normal for a first crawl and is not reported as ``cannot_assess``. A ``previous`` whose
year is known and is not Y−1 is ignored the same way.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
import unicodedata
from typing import Any

from reports.checks._common import fmt, fmt_gap, has_t2_cells, t2_ref, t2_value, t3_ref
from reports.checks.base import STATUS_CANNOT_ASSESS, CheckContext, Finding, PeerText, Severity, rule
from reports.form import SECTION_KEYS, SECTION_LABELS, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS
from reports.model import ParsedReport

# REPEATED-TEXT: Jaccard similarity of character 3-gram sets of section 五, after removing
# whitespace, punctuation and digits (so a copy with the year bumped still matches).
# Independently written sections on the same topic share stock phrases
# (「进一步加强」「政府信息公开」) yet score low: the four 2024 seeds, pairwise, score
# 0.02–0.06. A copied section with a few words changed scores above 0.8. 0.6 sits
# well between and means "near-identical".
SIMILARITY_THRESHOLD = 0.6
SHINGLE = 3
MIN_CHARS = 50  # shorter sections (「无」, one line) are too short to call a copy


def _previous(report: ParsedReport, ctx: CheckContext) -> ParsedReport | None:
    prev = ctx.previous
    if prev is None:
        return None
    if report.year is not None and prev.year is not None and prev.year != report.year - 1:
        return None
    return prev


@rule(
    "CARRY-OVER",
    Severity.WARNING,
    "上年结转衔接",
    "表三每一列：本年“上年结转”应等于上一年度报告的“结转下年度继续办理”（机构合并等情形可合理中断）；无上年报告时不检查。",
    needs=("requests",),
    order=16,
)
def carry_over(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Requests carried into Y must be those last year's report carried forward."""
    prev = _previous(report, ctx)
    if prev is None:
        return []
    findings: list[Finding] = []
    blank: list[dict[str, Any]] = []
    for col in TABLE3_COLUMNS:
        now, before = report.t3("carried_over", col), prev.t3("carried_forward", col)
        if now is None or before is None:
            blank.append({**t3_ref("carried_over", col), "value": now, "previous_value": before})
            continue
        if now == before:
            continue
        label = TABLE3_COLUMN_LABELS[col]
        findings.append(
            Finding(
                rule="CARRY-OVER",
                severity=Severity.WARNING,
                message=(
                    f"表三“{label}”列：本年“上年结转”为{fmt(now)}，"
                    f"但{prev.year or '上一'}年度报告“结转下年度继续办理”为{fmt(before)}，相差{fmt_gap(now, before)}"
                ),
                evidence={
                    "anchor": {"table": 3, "column": col, "identity": "carry_over"},
                    **t3_ref("carried_over", col),
                    "previous_row": "carried_forward",
                    "previous_row_label": t3_ref("carried_forward", col)["row_label"],
                    "previous_year": prev.year,
                    "expected": before,
                    "actual": now,
                    "difference": now - before,
                },
            )
        )
    if blank:
        findings.append(
            Finding(
                rule="CARRY-OVER",
                severity=Severity.INFO,
                message="上年结转衔接无法核验："
                + "、".join(f"“{c['column_label']}”" for c in blank)
                + "列本年“上年结转”或上年“结转下年度”为空白",
                evidence={
                    "anchor": {"table": 3, "identity": "carry_over", "scope": "blank"},
                    "blank_cells": blank,
                },
                status=STATUS_CANNOT_ASSESS,
            )
        )
    return findings


@rule(
    "STOCK-FLOW",
    Severity.INFO,
    "规范性文件存量衔接",
    "行政规范性文件：本年现行有效件数应约等于上年现行有效件数＋本年制发－本年废止（文件到期失效可合理造成差异）；无上年报告时不检查。",
    needs=("proactive",),
    order=17,
)
def stock_flow(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """The stock of documents in force should follow from last year's stock and this year's flow."""
    prev = _previous(report, ctx)
    if prev is None:
        return []
    row = "normative_documents"
    flow = ("issued", "repealed", "in_force")
    if not has_t2_cells(report, row, flow) or not has_t2_cells(prev, row, ("in_force",)):
        return []  # F2019 table 二 has no stock of documents in force: nothing to compare
    before = t2_value(prev, row, "in_force")
    issued, repealed, now = (t2_value(report, row, c) for c in flow)
    anchor = {"table": 2, "row": row, "identity": "stock_flow"}
    if before is None or issued is None or repealed is None or now is None:
        return [
            Finding(
                rule="STOCK-FLOW",
                severity=Severity.INFO,
                message="行政规范性文件存量衔接无法核验：上年现行有效、本年制发、本年废止或本年现行有效件数为空白",
                evidence={
                    "anchor": anchor,
                    "values": {
                        "previous_in_force": before,
                        "issued": issued,
                        "repealed": repealed,
                        "in_force": now,
                    },
                },
                status=STATUS_CANNOT_ASSESS,
            )
        ]
    expected = before + issued - repealed
    if expected == now:
        return []
    return [
        Finding(
            rule="STOCK-FLOW",
            severity=Severity.INFO,
            message=(
                f"行政规范性文件：上年现行有效{fmt(before)}+本年制发{fmt(issued)}-本年废止{fmt(repealed)}"
                f"={fmt(expected)}，但本年现行有效填{fmt(now)}，相差{fmt_gap(now, expected)}"
            ),
            evidence={
                "anchor": anchor,
                **t2_ref(row, "in_force"),
                "previous_year": prev.year,
                "values": {
                    "previous_in_force": before,
                    "issued": issued,
                    "repealed": repealed,
                    "in_force": now,
                },
                "expected": expected,
                "actual": now,
                "difference": now - expected,
            },
        )
    ]


@functools.lru_cache(maxsize=1024)
def _plain(text: str) -> str:
    """Text reduced to letters: no whitespace, punctuation or digits."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isalpha())


@functools.lru_cache(maxsize=512)
def _shingles(text: str) -> frozenset[int]:
    """The character 3-grams of a text's letters, each as one int (three code points of 21
    bits). Memoised: a district's section 五 texts are compared with every new report of the
    district, and shingling them again each time cost 0.45 ms a peer (20 ms a report among 40
    peers, measured); 512 sets of a long section's ≈1,000 ints stay within ≈40 MB."""
    plain = _plain(text)
    codes = [ord(ch) for ch in plain]
    return frozenset(
        (codes[i] << 42) | (codes[i + 1] << 21) | codes[i + 2] for i in range(len(codes) - SHINGLE + 1)
    )


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character 3-gram sets of two texts (0..1)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    shared = len(sa & sb)
    return shared / (len(sa) + len(sb) - shared)


def longest_common_passage(a: str, b: str) -> str:
    """The longest passage the two texts share, as printed in ``a`` (whitespace removed)."""
    x, y = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    m = difflib.SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
    return x[m.a : m.a + m.size]


@rule(
    "REPEATED-TEXT",
    Severity.WARNING,
    "存在问题及改进年年雷同",
    f"第五部分与上年报告或同地区其他机关报告近乎相同（去除空白、标点和数字后字符三元组Jaccard相似度≥{SIMILARITY_THRESHOLD}）；无上年报告和同级报告时不检查。",
    needs=("problems",),
    order=18,
)
def repeated_text(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Section 五 copied from last year or from a peer shows no real review of the year."""
    mine = PeerText.of(report).problems
    if len(_plain(mine)) < MIN_CHARS:
        return []
    others: list[tuple[str, PeerText]] = []
    prev = _previous(report, ctx)
    if prev is not None:
        others.append(("previous", PeerText.of(prev)))
    others += [("peer", p) for p in ctx.peers if p.agency is None or p.agency != report.agency]
    findings: list[Finding] = []
    for kind, other in others:
        theirs = other.problems
        if len(_plain(theirs)) < MIN_CHARS:
            continue
        score = similarity(mine, theirs)
        if score < SIMILARITY_THRESHOLD:
            continue
        passage = longest_common_passage(mine, theirs)
        whom = (
            f"{other.year or '上一'}年度报告"
            if kind == "previous"
            else f"{other.agency or '同地区另一机关'}的报告"
        )
        shown = passage if len(passage) <= 60 else passage[:60] + "…"
        findings.append(
            Finding(
                rule="REPEATED-TEXT",
                severity=Severity.WARNING,
                message=(
                    f"第五部分“存在的主要问题及改进情况”与{whom}高度雷同（相似度{score:.0%}），"
                    f"最长相同段落{len(passage)}字：“{shown}”"
                ),
                evidence={
                    "anchor": {
                        "section": "problems",
                        "against": kind,
                        "agency": other.agency,
                        "year": other.year,
                    },
                    "section": "problems",
                    "against": kind,
                    "other_agency": other.agency,
                    "other_year": other.year,
                    "similarity": round(score, 4),
                    "threshold": SIMILARITY_THRESHOLD,
                    "method": f"char-{SHINGLE}gram-jaccard",
                    "longest_passage": passage,
                    "longest_passage_length": len(passage),
                },
            )
        )
    return findings


def _cells(report: ParsedReport) -> dict[str, Any]:
    data = report.to_public_json()
    return {t: data[t] for t in ("proactive", "requests", "review_litigation")}


def _digest(report: ParsedReport) -> str:
    """A short hash of the content compared, so each new edit is a new finding."""
    blob = json.dumps(
        {
            "cells": _cells(report),
            "text": [re.sub(r"\s+", "", report.sections[k].text) for k in report.sections],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _changed_cells(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for table, rows in new.items():
        for row, cells in rows.items():
            for col, value in cells.items():
                before = old.get(table, {}).get(row, {}).get(col)
                if before != value:
                    changes.append(
                        {"table": table, "row": row, "column": col, "before": before, "after": value}
                    )
    return changes


@rule(
    "CHANGED-AFTER-PUBLICATION",
    Severity.INFO,
    "发布后被修改",
    "与先前抓取的同一报告版本相比，正文各部分或表格数字发生变化；无先前版本时不检查。",
    order=19,
)
def changed_after_publication(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Evaluators flag reports edited after publication; say what changed."""
    old = ctx.earlier_version
    if old is None:
        return []
    sections = []
    for key in SECTION_KEYS:
        a = re.sub(r"\s+", "", old.sections[key].text) if key in old.sections else ""
        b = re.sub(r"\s+", "", report.sections[key].text) if key in report.sections else ""
        if a != b:
            sections.append(
                {
                    "section": key,
                    "section_label": SECTION_LABELS[key],
                    "similarity": round(similarity(a, b), 4),
                }
            )
    cells = _changed_cells(_cells(old), _cells(report))
    if not sections and not cells:
        return []
    parts = []
    if sections:
        parts.append("正文" + "、".join(f"“{s['section_label']}”" for s in sections) + "有改动")
    if cells:
        parts.append(f"表格中{len(cells)}个数字有改动")
    return [
        Finding(
            rule="CHANGED-AFTER-PUBLICATION",
            severity=Severity.INFO,
            message="报告发布后被修改：" + "；".join(parts),
            evidence={
                "anchor": {"problem": "changed", "version": _digest(report)},
                "sections": sections,
                "cells": cells,
            },
        )
    ]
