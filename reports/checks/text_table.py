"""Figures stated in the prose versus the tables.

Precision over recall: a sentence is compared only when its wording pins down which
cell it talks about. 「负责管理 15 项行政许可项目」 counts licence *types* and is left
alone; 「成功办理了 15 项行政许可」 counts *decisions* and is compared with table 二.
Recognised statements (on NFKC text with whitespace removed, so 「15 项」 = 「15项」):

- 收到/新收/受理 …(政府信息公开|依)申请… N件 → table 三 ``new``.total
  (N may also include carried-over requests: new + carried_over is accepted);
- 未收到/没有收到 …申请 → ``new``.total must be 0;
- 办理/办结/作出/批准/核发… N项/件 行政许可 (not …项目/清单), or 办理行政许可(决定|事项) N件 → ``licensing``;
- 作出/实施/下达… 行政处罚 N件 (either order) → ``penalty``; 行政强制 likewise → ``coercion``;
- in sentences about 公开: 行政复议 N件 → table 四 review.total; 行政诉讼 N件 → the two
  suit groups' totals; 「未/没有/无 …行政复议/行政诉讼」 → 0;
- 主动公开…N条 followed, in the same sentence, by a 「…类 M条」 breakdown → the
  breakdown must add up to N.

Blank table cells are not compared (the arithmetic rules report blanks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from reports.checks._common import (
    NUM,
    NormText,
    Number,
    Sentence,
    clauses,
    fmt,
    fmt_gap,
    parse_number,
    prose_sources,
    section_label,
    sentences,
    t2_ref,
    t2_value,
    t3_ref,
    t4_ref,
)
from reports.checks.base import CheckContext, Finding, Severity, rule
from reports.model import ParsedReport

Q = r"(?:共|共计|合计|累计|总计|计)?"
CASE = r"(?:件|项|个|宗|起|份)"


@dataclass(frozen=True)
class Topic:
    key: str
    what: str  # what the prose claims, e.g. 「办理行政许可」
    none: str  # the same claim when the prose says there were none
    where: str  # the table cell(s) it is compared with, for the message
    refs: tuple[dict[str, Any], ...]
    # values of refs → the table figure and every figure the sentence may legitimately state
    figure: Callable[[ParsedReport], tuple[Number, set[Number]] | None]
    needs_disclosure_context: bool = False  # only in sentences that speak of 公开


def _t2(row: str) -> Callable[[ParsedReport], tuple[Number, set[Number]] | None]:
    def get(report: ParsedReport) -> tuple[Number, set[Number]] | None:
        v = t2_value(report, row, "decisions")
        return None if v is None else (v, {v})

    return get


def _requests(report: ParsedReport) -> tuple[Number, set[Number]] | None:
    new = report.t3("new", "total")
    if new is None:
        return None
    carried = report.t3("carried_over", "total")
    accepted: set[Number] = {new} if carried is None else {new, new + carried}
    return new, accepted


def _sum_t4(groups: tuple[str, ...]) -> Callable[[ParsedReport], tuple[Number, set[Number]] | None]:
    def get(report: ParsedReport) -> tuple[Number, set[Number]] | None:
        values = [v for g in groups if (v := report.t4(g, "total")) is not None]
        if len(values) < len(groups):
            return None
        total = sum(values)
        return total, {total}

    return get


SUITS = ("suit_direct", "suit_after_review")
TOPICS: dict[str, Topic] = {
    t.key: t
    for t in (
        Topic(
            "requests",
            "收到政府信息公开申请",
            "本年未收到政府信息公开申请",
            "表三“本年新收政府信息公开申请数量·总计”",
            (t3_ref("new", "total"),),
            _requests,
        ),
        Topic(
            "licensing",
            "办理行政许可",
            "未办理行政许可",
            "表二“行政许可·本年处理决定数量”",
            (t2_ref("licensing", "decisions"),),
            _t2("licensing"),
        ),
        Topic(
            "penalty",
            "作出行政处罚",
            "未作出行政处罚",
            "表二“行政处罚·本年处理决定数量”",
            (t2_ref("penalty", "decisions"),),
            _t2("penalty"),
        ),
        Topic(
            "coercion",
            "实施行政强制",
            "未实施行政强制",
            "表二“行政强制·本年处理决定数量”",
            (t2_ref("coercion", "decisions"),),
            _t2("coercion"),
        ),
        Topic(
            "review",
            "政府信息公开行政复议",
            "未发生政府信息公开行政复议",
            "表四“行政复议·总计”",
            (t4_ref("review", "total"),),
            _sum_t4(("review",)),
            True,
        ),
        Topic(
            "litigation",
            "政府信息公开行政诉讼",
            "未发生政府信息公开行政诉讼",
            "表四两类行政诉讼“总计”之和",
            tuple(t4_ref(g, "total") for g in SUITS),
            _sum_t4(SUITS),
            True,
        ),
    )
}

_REQ_TOPIC = r"(?:新的|各类)?(?:政府信息公开|信息公开|依)申请(?:公开)?(?:事项)?"
_REQ_VERB = r"(?:收到|新收|接到|受理)(?:了)?"
_LIC_VERB = r"(?:办理|办结|作出|做出|批准|核发|颁发)(?:了)?"
_PEN_VERB = r"(?:作出|做出|办理|办结|实施|下达)(?:了)?"
_COE_VERB = r"(?:作出|做出|采取|实施|办理|办结)(?:了)?"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(p))
    for key, p in (
        ("requests", rf"{_REQ_VERB}{Q}{_REQ_TOPIC}{Q}{NUM}(?:件|个|条|份)"),
        ("requests", rf"{_REQ_VERB}{Q}{NUM}(?:件|个|份)(?:的)?(?:政府信息公开|信息公开|依申请公开)"),
        ("licensing", rf"{_LIC_VERB}{Q}{NUM}{CASE}(?:的)?行政许可(?!项目|清单|目录|事项清单)"),
        ("licensing", rf"{_LIC_VERB}行政许可(?:决定|事项|审批|申请|案件|业务)?{Q}{NUM}{CASE}"),
        ("penalty", rf"{_PEN_VERB}(?:一般程序)?行政处罚(?:决定|案件)?(?:书)?{Q}{NUM}{CASE}"),
        ("penalty", rf"{_PEN_VERB}{Q}{NUM}{CASE}(?:的)?行政处罚"),
        ("coercion", rf"{_COE_VERB}行政强制(?:措施|执行)?(?:决定)?{Q}{NUM}(?:件|项|个|宗|起|次)"),
        ("coercion", rf"{_COE_VERB}{Q}{NUM}(?:件|项|个|宗|起|次)(?:的)?行政强制"),
        ("review", rf"行政复议(?:案件|申请)?{Q}{NUM}(?:件|起|宗|个|次)"),
        ("review", rf"{NUM}(?:件|起|宗|个|次)(?:政府信息公开)?(?:的)?行政复议"),
        ("litigation", rf"行政诉讼(?:案件)?{Q}{NUM}(?:件|起|宗|个|次)"),
        ("litigation", rf"{NUM}(?:件|起|宗|个|次)(?:政府信息公开)?(?:的)?行政诉讼"),
    )
)

_NONE_RECEIVED = re.compile(r"(?:未|没有|无)(?:收到|接到|受理)")
_NONE_RECEIVED_EXCLUDE = ("复议", "诉讼", "许可", "投诉", "举报")
_NONE_CASE = {
    "review": re.compile(r"(?:未(?!经)|没有|无|零)[^,;。]{0,25}?行政复议"),
    "litigation": re.compile(r"(?:未(?!经)|没有|无|零)[^,;。]{0,25}?行政诉讼"),
}

_PROACTIVE = re.compile(rf"主动公开(?:了)?(?:政府信息|政务信息|各类信息|信息)?{Q}{NUM}条")
_CATEGORY = re.compile(rf"([\u4e00-\u9fff]{{1,12}}类)(?:信息)?{Q}{NUM}条")


@dataclass(frozen=True)
class Claim:
    topic: str
    sentence: Sentence
    span: tuple[int, int]  # within the sentence text
    stated: int
    phrase: str  # the matched words, normalised


def claims(report: ParsedReport) -> Iterator[Claim]:
    """Every figure the prose states about a table cell, with the sentence it sits in."""
    for s in sentences(report):
        text = s.text
        taken: list[tuple[int, int]] = []
        for topic, pattern in PATTERNS:
            if TOPICS[topic].needs_disclosure_context and "公开" not in text:
                continue
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                number = parse_number(m.group(1))
                if number is None:
                    continue
                taken.append(m.span())
                yield Claim(topic, s, m.span(), number, m.group(0))
        for offset, clause in clauses(text):
            if re.search(r"\d", clause):
                continue
            if (
                _NONE_RECEIVED.search(clause)
                and "申请" in clause
                and not any(x in clause for x in _NONE_RECEIVED_EXCLUDE)
            ):
                yield Claim("requests", s, (offset, offset + len(clause)), 0, clause)
            if "公开" not in text:
                continue
            for topic, neg in _NONE_CASE.items():
                if neg.search(clause):
                    yield Claim(topic, s, (offset, offset + len(clause)), 0, clause)


def _mismatch(report: ParsedReport, claim: Claim) -> Finding | None:
    topic = TOPICS[claim.topic]
    got = topic.figure(report)
    if got is None:
        return None
    table_value, accepted = got
    if claim.stated in accepted:
        return None
    s = claim.sentence
    quote = s.quote(focus=claim.span)
    claimed = topic.none if claim.stated == 0 else f"{topic.what}{claim.stated}件"
    diff = claim.stated - table_value
    return Finding(
        rule="TEXT-TABLE",
        severity=Severity.WARNING,
        message=(
            f"{section_label(s.section)}写道“{quote}”，即{claimed}，"
            f"但{topic.where}为{fmt(table_value)}，相差{fmt_gap(claim.stated, table_value)}"
        ),
        evidence={
            "anchor": {"topic": claim.topic, "section": s.section, "stated": claim.stated},
            "topic": claim.topic,
            "section": s.section,
            "offset": s.offset,
            "sentence": quote,
            "phrase": claim.phrase,
            "cells": [dict(r) for r in topic.refs],
            "stated": claim.stated,
            "table_value": table_value,
            "expected": table_value,
            "actual": claim.stated,
            "difference": diff,
        },
    )


def _breakdowns(report: ParsedReport) -> Iterator[Finding]:
    """主动公开 N 条 with a per-category list in the same sentence that does not add up to N."""
    for key, text in prose_sources(report):
        norm = NormText.of(text)
        for m in _PROACTIVE.finditer(norm.text):
            total = parse_number(m.group(1))
            end = norm.text.find("。", m.end())
            end = len(norm.text) if end < 0 else end
            window = norm.text[m.end() : min(end, m.end() + 400)]
            items = [(c.group(1), parse_number(c.group(2))) for c in _CATEGORY.finditer(window)]
            if total is None or len(items) < 2 or any(n is None for _, n in items):
                continue
            parts = sum(n for _, n in items if n is not None)
            if parts == total:
                continue
            start = max(norm.text.rfind("。", 0, m.start()) + 1, 0)
            quote = norm.quote(start, min(end + 1, len(norm.text), start + 200))
            listing = "、".join(f"{name}{n}条" for name, n in items)
            yield Finding(
                rule="TEXT-TABLE",
                severity=Severity.WARNING,
                message=(
                    f"{section_label(key)}称主动公开政府信息{total}条，"
                    f"但分类列举之和为{parts}条（{listing}），相差{abs(parts - total)}"
                ),
                evidence={
                    "anchor": {"topic": "proactive_breakdown", "section": key, "stated": total},
                    "topic": "proactive_breakdown",
                    "section": key,
                    "offset": norm.orig_offset(start),
                    "sentence": quote,
                    "items": [{"category": name, "count": n} for name, n in items],
                    "stated": total,
                    "expected": total,
                    "actual": parts,
                    "difference": parts - total,
                },
            )


@rule(
    "TEXT-TABLE",
    Severity.WARNING,
    "正文与表格数据核对",
    "正文所述的申请件数、行政许可/处罚/强制决定数、行政复议和行政诉讼件数应与表格一致，主动公开条数的分类列举应加总一致；只比对措辞明确指向表格单元格的句子。",
    order=11,
)
def text_table(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """A report whose prose and tables disagree misinforms whoever reads only one of them."""
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, int, int]] = set()
    for claim in claims(report):
        key = (claim.topic, claim.sentence.section, claim.sentence.start, claim.stated)
        if key in seen:
            continue
        seen.add(key)
        finding = _mismatch(report, claim)
        if finding is not None:
            findings.append(finding)
    findings.extend(_breakdowns(report))
    return findings
