"""What a finding's evidence says, in the office's Chinese: one renderer per rule.

A check records its evidence as a dict with canonical keys (``column``, ``row_label``,
``table_value``…) for machines; a person reads a sentence or a small table made from it:
「表三“自然人”列：本年新收 12 + 上年结转 3 = 15，办理结果总计 10 + 结转下年度 4 = 14，相差 1」.
Every channel that shows a finding (alerts, run artifacts, reports, the command line) asks
`explain` and prints its parts, so no internal key reaches a reader and no value is printed
twice: the report's own words appear once as 原文, never inside the sentence as well.

A rule without a renderer of its own is explained by its message (which the check writes
in Chinese already); `tests/alerts/test_evidence.py` requires a renderer for every rule so a
new rule is looked at when it is added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from reports import form as _form


@dataclass(frozen=True)
class Explanation:
    """A finding as a reader sees it: what is wrong, the report's words, a table if needed."""

    text: str
    quote: str | None = None
    table: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] | None = None  # header, rows
    rule: str = ""  # for the footer line only
    notes: tuple[str, ...] = field(default_factory=tuple)
    technical: str | None = None  # a server's or program's own words: the footer line, not the text

    def lines(self) -> list[str]:
        """Plain-text lines (the alert body stored in the database, the command line)."""
        out = [self.text]
        if self.quote:
            out.append(f"原文：「{self.quote}」")
        if self.table:
            header, rows = self.table
            out.append("　".join(header))
            out.extend("　".join(row) for row in rows)
        out.extend(self.notes)
        return out

    def markdown(self) -> str:
        """Markdown for chat bots and e-mail (apprise turns it into HTML)."""
        parts = [self.text]
        if self.quote:
            parts.append(f"> 原文：「{self.quote}」")
        if self.table:
            header, rows = self.table
            table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            table += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
            parts.append("\n".join(table))
        parts.extend(self.notes)
        return "\n\n".join(parts)

    def one_line(self) -> str:
        """One line for table cells (run artifacts, XLSX, the findings list)."""
        line = self.text
        if self.quote:
            line += f"　原文：「{self.quote}」"
        if self.table:
            header, rows = self.table
            line += "　" + "；".join(
                "，".join(f"{h}{v}" for h, v in zip(header, row, strict=False)) for row in rows
            )
        return line


Renderer = Callable[[str, Mapping[str, Any], str], Explanation]
RENDERERS: dict[str, Renderer] = {}
# Rules whose findings are notes (status cannot_assess) by nature and still need their renderer.
ANY_STATUS = {"UNREADABLE"}


def renders(*rules: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        for rule in rules:
            RENDERERS[rule] = fn
        return fn

    return register


def explain(
    rule: str | None, message: str | None, evidence: Mapping[str, Any] | None, status: str = "fail"
) -> Explanation:
    """The reader's view of one finding; never raises (a finding must always be shown)."""
    rule = rule or ""
    message = (message or "").strip()
    ev: Mapping[str, Any] = evidence if isinstance(evidence, Mapping) else {}
    renderer = RENDERERS.get(rule)
    result: Explanation | None = None
    anchor = ev.get("anchor")
    if isinstance(anchor, Mapping) and anchor.get("problem") == "rule_error":
        result = _rule_error(message, ev, status)
    elif renderer is not None and (status == "fail" or rule in ANY_STATUS):
        try:
            result = renderer(message, ev, status)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            result = None  # evidence of an older shape: the message still says it
    if result is None:
        result = _from_message(message, ev)
    quote = result.quote
    words = ev.get("sentence") or ev.get("quote")
    if quote is None and isinstance(words, str) and words.strip() and words.strip() not in result.text:
        quote = words.strip()  # the report's words are shown once, whichever renderer ran
    return Explanation(result.text or message, quote, result.table, rule, result.notes, result.technical)


# ---- shared pieces ------------------------------------------------------------------

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|三\([一二三四五六七]\)\d?\s*)")
_TAIL_QUOTE = re.compile(r"[：:，,]?\s*“[^“”]*”[。]?$")


def short(label: Any) -> str:
    """「三(三)1 属于国家秘密」 -> 「属于国家秘密」, 「一、本年新收…」 -> 「本年新收…」."""
    return _NUMBERING.sub("", str(label or "")).strip()


def num(value: Any) -> str:
    """A figure as a reviewer writes it: no trailing zeros, blank as 空白."""
    if value is None or value == "":
        return "空白"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | Decimal | str):
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        text = format(d.normalize(), "f")
        return text
    return str(value)


def _abs(value: Any) -> str:
    try:
        return num(abs(Decimal(str(value))))
    except (InvalidOperation, TypeError):
        return num(value)


def strip_tail_quote(message: str) -> str:
    """The message without the quoted sentence it ends with (shown once, as 原文)."""
    return _TAIL_QUOTE.sub("", message).rstrip("：:，, ")


def section_name(key: Any) -> str:
    return _form.SECTION_LABELS.get(str(key), "正文") if key else "正文"


_TABLE_NO = {
    2: "表二",
    3: "表三",
    4: "表四",
    "proactive": "表二",
    "requests": "表三",
    "review_litigation": "表四",
}


def _t2_labels() -> tuple[dict[str, str], dict[str, str]]:
    rows = {**getattr(_form, "TABLE2_ROW_LABELS_F2019", {}), **_form.TABLE2_ROW_LABELS}
    cells = {**getattr(_form, "TABLE2_CELL_LABELS_F2019", {}), **_form.TABLE2_CELL_LABELS}
    return rows, cells


def cell_place(cell: Mapping[str, Any]) -> str:
    """Where a cell is, in words: 「表三“予以公开”行“总计”列」, 「表四“行政复议”的“总计”」."""
    table = cell.get("table")
    name = _TABLE_NO.get(table, "表格")
    if table in (4, "review_litigation"):
        group = cell.get("group_label") or _form.TABLE4_GROUP_LABELS.get(
            str(cell.get("group") or cell.get("row")), ""
        )
        item = cell.get("cell_label") or _form.TABLE4_CELL_LABELS.get(
            str(cell.get("cell") or cell.get("column")), ""
        )
        return f"{name}“{group}”的“{item}”"
    if table in (2, "proactive"):
        rows, cells = _t2_labels()
        row = cell.get("row_label") or rows.get(str(cell.get("row")), "")
        col = cell.get("column_label") or cells.get(str(cell.get("column")), "")
        return f"{name}“{row}”行“{col}”"
    row = short(cell.get("row_label") or _form.TABLE3_ROW_LABELS.get(str(cell.get("row")), ""))
    col = cell.get("column_label") or _form.TABLE3_COLUMN_LABELS.get(str(cell.get("column")), "")
    return f"{name}“{row}”行“{col}”列"


def _from_message(message: str, ev: Mapping[str, Any]) -> Explanation:
    """Default: the check's own Chinese message; a quoted sentence it ends with becomes 原文."""
    quote = ev.get("sentence") or ev.get("quote")
    if isinstance(quote, str) and quote and quote in message:
        return Explanation(strip_tail_quote(message) if message.rstrip("。").endswith("”") else message)
    if isinstance(quote, str) and quote:
        return Explanation(message, quote.strip())
    return Explanation(message)


def _plus(parts: Sequence[tuple[str, Any]]) -> str:
    return " + ".join(f"{label} {num(value)}" for label, value in parts)


# ---- table three and four arithmetic ------------------------------------------------

_BALANCE_LABELS = {
    "new": "本年新收",
    "carried_over": "上年结转",
    "outcome_total": "办理结果总计",
    "carried_forward": "结转下年度",
}


@renders("T3-BALANCE")
def _t3_balance(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    v = ev["values"]
    left = _plus([(_BALANCE_LABELS[k], v[k]) for k in ("new", "carried_over")])
    right = _plus([(_BALANCE_LABELS[k], v[k]) for k in ("outcome_total", "carried_forward")])
    return Explanation(
        f"表三“{ev['column_label']}”列：{left} = {num(ev['expected'])}，"
        f"{right} = {num(ev['actual'])}，相差 {_abs(ev['difference'])}"
    )


def _sum_says(
    where: str, parts: str, ev: Mapping[str, Any], total: str = "“总计”填", equals: str = " = "
) -> Explanation:
    """「{where}：{parts} = 26，“总计”填 27，相差 1」: the sum, what the report filled in, the gap."""
    return Explanation(
        f"{where}：{parts}{equals}{num(ev['expected'])}，{total} {num(ev['actual'])}，相差 {_abs(ev['difference'])}"
    )


@renders("T3-OUTCOME-SUM")
def _t3_outcome_sum(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    return _sum_says(f"表三“{ev['column_label']}”列", f"{len(ev['cells'])}项办理结果之和", ev, equals="为 ")


@renders("T3-ROW-SUM")
def _t3_row_sum(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    parts = _plus([(c["column_label"], c["value"]) for c in ev["cells"]])
    return _sum_says(f"表三“{short(ev['row_label'])}”行", parts, ev, "“总计”列填")


@renders("T4-SUM")
def _t4_sum(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    parts = _plus([(c["cell_label"], c["value"]) for c in ev["cells"]])
    return _sum_says(f"表四“{ev['group_label']}”", parts, ev)


@renders("STOCK-FLOW")
def _stock_flow(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    v = ev["values"]
    return Explanation(
        f"{ev['row_label']}：上年现行有效 {num(v['previous_in_force'])} + 本年制发 {num(v['issued'])}"
        f" − 本年废止 {num(v['repealed'])} = {num(ev['expected'])}，本年现行有效填 {num(v['in_force'])}，"
        f"相差 {_abs(ev['difference'])}（文件到期失效也可能造成差异）"
    )


@renders("NUM-RANGE", "FEE-STATEMENT", "REGULATIONS-LEVEL", "OTHER-SHARE", "CARRY-OVER")
@renders(
    "SECTIONS", "TABLES", "OVERVIEW-LENGTH", "PARSE-ERROR", "MISSING", "LATE", "DUE-SOON", "UNVERIFIABLE"
)
def _message_says_it(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    """The check's message already names the cells and figures once, in words."""
    return Explanation(message)


# ---- text and dates -----------------------------------------------------------------


@renders("YEAR", "YEAR-PLAN")
def _year(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    raw_anchor = ev.get("anchor")
    anchor: Mapping[str, Any] = raw_anchor if isinstance(raw_anchor, Mapping) else {}
    if anchor.get("part") == "title" and ev.get("title"):
        return Explanation(strip_tail_quote(message), str(ev["title"]))
    if anchor.get("part") == "typo":  # the slip is short and the message names it once
        return Explanation(message)
    sentence = ev.get("sentence")
    if sentence:
        return Explanation(strip_tail_quote(message), str(sentence))
    return Explanation(message)


TOPIC_ZH = {
    "requests": "收到的政府信息公开申请",
    "review": "行政复议",
    "litigation": "行政诉讼",
    "licensing": "行政许可决定",
    "penalty": "行政处罚决定",
    "coercion": "行政强制决定",
}


def _cells_place(cells: Sequence[Mapping[str, Any]]) -> str:
    places = [cell_place(c) for c in cells]
    if len(places) == 1:
        return places[0]
    if all(c.get("table") == 4 for c in cells):
        groups = "与".join(f"“{c.get('group_label', '')}”" for c in cells)
        return f"表四{groups}的“{cells[0].get('cell_label', '总计')}”之和"
    return "、".join(places) + "之和"


@renders("TEXT-TABLE")
def _text_table(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    where = section_name(ev.get("section"))
    quote = str(ev["sentence"]) if ev.get("sentence") else None
    if ev.get("topic") == "proactive_breakdown":
        items = "、".join(f"{i['category']} {num(i['count'])} 条" for i in ev.get("items", []))
        return Explanation(
            f"{where}称主动公开政府信息 {num(ev['stated'])} 条，分类列举之和为 {num(ev['actual'])} 条"
            f"（{items}），相差 {_abs(ev['difference'])}",
            quote,
        )
    what = TOPIC_ZH.get(str(ev.get("topic")), "所述件数")
    return Explanation(
        f"{where}所写{what}为 {num(ev['stated'])} 件，{_cells_place(ev['cells'])}为 {num(ev['table_value'])}，"
        f"相差 {_abs(ev['difference'])}，请核实正文与表格哪一处有误",
        quote,
    )


@renders("FORMAT-VERSION")
def _format_version(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    if ev.get("sentence"):
        return Explanation(strip_tail_quote(message), str(ev["sentence"]))
    forms = {"F2021": "国办公开办函〔2021〕30号", "F2019": "国办公开办函〔2019〕60号"}
    if ev.get("expected") in forms and ev.get("actual") in forms:
        year = f"{ev['year']}年度报告" if ev.get("year") else "本报告"
        return Explanation(
            f"{year}应采用{forms[ev['expected']]}规定的格式，实际使用的是{forms[ev['actual']]}的旧格式"
        )
    return Explanation(message)


@renders("REPEATED-TEXT")
def _repeated_text(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    passage = ev.get("longest_passage")
    return Explanation(strip_tail_quote(message), str(passage) if passage else None)


@renders("CHANGED-AFTER-PUBLICATION")
def _changed(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    text = re.sub(r"^报告发布后被修改[：:]", "", message) or message
    rows = []
    for c in ev.get("cells") or []:
        rows.append((cell_place(c), num(c.get("before")), num(c.get("after"))))
    table = (("改动的数字", "原为", "现为"), tuple(rows)) if rows else None
    return Explanation(text, None, table)


_TECHNICAL = re.compile(r"[（(]([^（）()]*[A-Za-z]{3,}[^（）()]*)[）)]")


def split_technical(text: str) -> tuple[str, str | None]:
    """「报告文件无法获取（ConnectError: timed out）」 -> (「报告文件无法获取」, 「ConnectError: timed out」):
    the server's or the program's own words go to the footer line for the technical reader."""
    found = _TECHNICAL.findall(text)
    if not found:
        return text, None
    return _TECHNICAL.sub("", text).strip("，。；： "), "；".join(found)


@renders("UNREADABLE")
def _unreadable(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    reason, technical = split_technical(str(ev["reason"]))
    return Explanation(
        f"找到了该年度报告，但无法读取其内容，报告未经检查：{reason}。原始文件已保存，请人工查看",
        technical=technical,
    )


def _rule_error(message: str, ev: Mapping[str, Any], status: str) -> Explanation:
    return Explanation("本项检查因程序出错未能完成（已记录，需技术人员查看），不代表报告有此问题")
