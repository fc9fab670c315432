"""Helpers shared by the rule modules: cell references, number formatting, text scanning.

Kept apart from ``base.py`` so rules stay short and every finding names cells and
sentences the same way (keys and Chinese labels side by side).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import reports.form as form_module
from reports.form import (
    SECTION_KEYS,
    SECTION_LABELS,
    TABLE2_CELL_LABELS,
    TABLE2_ROW_LABELS,
    TABLE3_COLUMN_LABELS,
    TABLE3_ROW_LABELS,
    TABLE4_CELL_LABELS,
    TABLE4_GROUP_LABELS,
)
from reports.model import ParsedReport
from reports.numerals import CN_NUMERAL_CHARS, cn_number

Number = int | Decimal

# --- cell references ---------------------------------------------------------------


def t3_ref(row: str, column: str) -> dict[str, Any]:
    """Keys and labels of a table 三 cell, as every finding reports them."""
    return {
        "table": 3,
        "row": row,
        "row_label": TABLE3_ROW_LABELS.get(row, row),
        "column": column,
        "column_label": TABLE3_COLUMN_LABELS.get(column, column),
    }


# F2019 table 二 has other rows and cells; use its labels when the form module has them.
_T2_ROW_LABELS = {**getattr(form_module, "TABLE2_ROW_LABELS_F2019", {}), **TABLE2_ROW_LABELS}
_T2_CELL_LABELS = {**getattr(form_module, "TABLE2_CELL_LABELS_F2019", {}), **TABLE2_CELL_LABELS}


def t2_ref(row: str, cell: str) -> dict[str, Any]:
    return {
        "table": 2,
        "row": row,
        "row_label": _T2_ROW_LABELS.get(row, row),
        "column": cell,
        "column_label": _T2_CELL_LABELS.get(cell, cell),
    }


def t2_value(report: ParsedReport, row: str, cell: str) -> Number | None:
    """A table 二 value, None when blank or when the report's form has no such cell (F2019)."""
    c = report.proactive.get(row, {}).get(cell)
    return None if c is None else c.value


def has_t2_cells(report: ParsedReport, row: str, cells: tuple[str, ...]) -> bool:
    return all(cell in report.proactive.get(row, {}) for cell in cells)


def t4_ref(group: str, cell: str) -> dict[str, Any]:
    return {
        "table": 4,
        "group": group,
        "group_label": TABLE4_GROUP_LABELS.get(group, group),
        "cell": cell,
        "cell_label": TABLE4_CELL_LABELS.get(cell, cell),
    }


def short_row_label(row: str) -> str:
    """The row label without the long parenthetical note, for messages."""
    label = TABLE3_ROW_LABELS.get(row, row)
    return re.split(r"[（(]区分", label)[0]


def fmt(value: Number | None) -> str:
    """Print a number the way a reviewer writes it (no trailing zeros, blank as 空白)."""
    if value is None:
        return "空白"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def fmt_gap(a: Number, b: Number) -> str:
    """How far apart two figures are (the 「相差」 of a finding), printed as `fmt` does."""
    diff = a - b
    return fmt(-diff if diff < 0 else diff)


def section_label(key: str | None) -> str:
    if key is None:
        return "正文"
    return SECTION_LABELS.get(key, key)


# --- Chinese numerals --------------------------------------------------------------

# A number as printed in prose: Arabic digits or Chinese numerals, not an ordinal (第…).
NUM = rf"(?<![第\d{CN_NUMERAL_CHARS}])(\d+|[{CN_NUMERAL_CHARS}]+)"


def parse_number(text: str) -> int | None:
    """Parse 「15」, 「十五」, 「一百零二」, 「两千」, 「一〇五」; None when it is not a number."""
    return cn_number(text)


# --- normalised text with a map back to the original ------------------------------


@dataclass(frozen=True)
class NormText:
    """Text NFKC-normalised with all whitespace removed, remembering original offsets.

    Regexes then see 「办理了15项」 whether the page printed 「办理了 15 项」 or broke the
    line inside it (PDF extraction), while quotes and offsets still refer to the original.
    """

    text: str
    index: tuple[int, ...]
    original: str

    @classmethod
    def of(cls, original: str) -> NormText:
        """The normalised text of `original`; the same object for the same text, as the checks
        of one report ask for each section's text many times over (once per rule)."""
        return _norm_text(original)

    @classmethod
    def _build(cls, original: str) -> NormText:
        chars: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(original):
            if ch.isspace():
                continue
            for out in unicodedata.normalize("NFKC", ch):
                if out.isspace():
                    continue
                chars.append(out)
                index.append(i)
        return cls("".join(chars), tuple(index), original)

    def orig_offset(self, pos: int) -> int:
        if not self.index:
            return 0
        return self.index[min(pos, len(self.index) - 1)]

    def quote(self, start: int, end: int) -> str:
        """The original text of normalised span [start, end), whitespace collapsed."""
        if start >= end or not self.index:
            return ""
        a = self.index[start]
        b = self.index[end - 1] + 1
        return re.sub(r"\s+", " ", self.original[a:b]).strip()


@functools.lru_cache(maxsize=64)
def _norm_text(original: str) -> NormText:
    return NormText._build(original)


@dataclass(frozen=True)
class Sentence:
    section: str | None
    norm: NormText  # the whole section
    start: int  # span of the sentence in norm.text
    end: int

    @property
    def text(self) -> str:
        return self.norm.text[self.start : self.end]

    @property
    def offset(self) -> int:
        """Character offset of the sentence in the original section text."""
        return self.norm.orig_offset(self.start)

    def quote(self, max_len: int = 160, focus: tuple[int, int] | None = None) -> str:
        """The sentence as printed; a window around ``focus`` when the sentence is long."""
        start, end = self.start, self.end
        if end - start > max_len and focus is not None:
            a, b = self.start + focus[0], self.start + focus[1]
            pad = max(0, (max_len - (b - a)) // 2)
            start, end = max(self.start, a - pad), min(self.end, b + pad)
        return self.norm.quote(start, end)


SENTENCE_END = re.compile(r"[。!?;]")


def prose_sources(report: ParsedReport) -> list[tuple[str | None, str]]:
    """(section key, text) pairs to read prose from; the whole text when no section was found."""
    found: list[tuple[str | None, str]] = [
        (k, report.sections[k].text) for k in SECTION_KEYS if k in report.sections and report.sections[k].text
    ]
    if found:
        return found
    return [(None, report.text)] if report.text else []


def sentences(report: ParsedReport) -> Iterator[Sentence]:
    """Sentences of the report's prose, split on 。！？； only (PDF line breaks are not ends)."""
    for key, text in prose_sources(report):
        norm = NormText.of(text)
        start = 0
        for m in SENTENCE_END.finditer(norm.text):
            if m.end() > start:
                yield Sentence(key, norm, start, m.end())
            start = m.end()
        if start < len(norm.text):
            yield Sentence(key, norm, start, len(norm.text))


def clauses(text: str) -> list[tuple[int, str]]:
    """(offset, clause) pieces of a normalised sentence split on commas."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in re.finditer(r"[,，:]", text):
        out.append((start, text[start : m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return out
