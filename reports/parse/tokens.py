"""Running text → label and figure tokens, also where labels and cells run together.

Text saved from a page or a PDF may lose every separator: 「…数量640020470二、上年结转…」
holds a label, one run of figures and the next label. A digit run stuck to label text
is a figure token marked ``glued``, with two exceptions that keep digits as text:

- the number that starts the next row's label: in 「…事务信息4100000416.属于四类…」 the
  digit before 「.」 is the label 「6.属于四类过程性信息」's own number (the form numbers
  its rows 1–8, one digit), so the figures are 「410000041」;
- digits that belong to words: ordinals 「第3项」, dates 「2024年」, 「(1)」, 「3类」.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports.parse.values import is_value_text, norm

_RUN = re.compile(r"\d+(?:\.\d+)?")
# A digit run followed by one of these is part of prose (a date, a count with its measure
# word), not a cell; no row label of the form starts with one of them.
_WORD_AFTER = frozenset("年月日号条款项类种件元%％次人个家场期篇份余多万亿名批天时分秒位台张户所起宗倍")
_ROW_NUMBER_SEP = frozenset(".．、")
_OPEN = ("(", "（")
_CLOSE = frozenset(")）")
# Page furniture on a line of its own: 「- 3 -」, 「— 3 —」, 「第 3 页」, 「第3页 共9页」.
PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)


@dataclass(slots=True)
class Tok:
    raw: str
    value: bool  # a figure (or a printed placeholder such as 「/」) rather than label text
    glued: bool = False  # a figure stuck to label text


def _is_row_number(chunk: str, end: int) -> bool:
    """The digit just before ``end`` starts a numbered label: 「6.属于…」, 「2、其他…」."""
    after = chunk[end + 1 : end + 2]  # empty when the label text follows after a space: 「1. 属于…」
    return (
        end < len(chunk) and chunk[end] in _ROW_NUMBER_SEP and not after.isdigit() and chunk[end - 1] != "0"
    )


def chunk_tokens(chunk: str) -> list[Tok]:
    """Tokens of one whitespace-free chunk of text."""
    if is_value_text(chunk):
        return [Tok(chunk, True)]
    out: list[Tok] = []
    text_start = 0
    for m in _RUN.finditer(chunk):
        a, b = m.span()
        before = chunk[a - 1] if a else ""
        after = chunk[b] if b < len(chunk) else ""
        if before == "第" or after in _WORD_AFTER or (before in _OPEN and after in _CLOSE):
            continue
        end = b
        if "." not in m.group() and _is_row_number(chunk, b):
            if b - a == 1:
                continue  # the label's own number
            end = b - 1
        if chunk[text_start:a]:
            out.append(Tok(chunk[text_start:a], False))
        out.append(Tok(chunk[a:end], True, glued=True))
        text_start = end
    if chunk[text_start:]:
        out.append(Tok(chunk[text_start:], False))
    if len(out) == 1 and out[0].value:
        out[0].glued = False
    return out


def text_tokens(text: str) -> list[Tok]:
    """Tokens of a line of running text (whitespace separates chunks)."""
    out: list[Tok] = []
    for chunk in norm(text).split():
        out.extend(chunk_tokens(chunk))
    return out
