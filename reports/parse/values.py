"""Cell text → value: blanks stay blank, counts are ints, money is Decimal.

Kept apart from the table logic so that every input kind (TSV, HTML, Word, PDF)
normalises cells the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Printed placeholders that mean "nothing entered" — kept distinct from 0.
BLANK_MARKERS = frozenset({"/", "／", "\\", "—", "——", "-", "－", "–", "无", "空", "×", "x", "X"})

_INT_RE = re.compile(r"^[+-]?\d+$")
_DEC_RE = re.compile(r"^[+-]?\d+\.\d+$")
_THOUSANDS_RE = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_UNIT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万元|元|件|个|项|条)$")
# A number token in running text: digits, optional decimals, or a placeholder.
NUMBER_TOKEN_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
TRAILING_DIGITS_RE = re.compile(r"^(.*?\D)(\d+)$", re.S)


@functools.lru_cache(maxsize=8192)
def norm(text: str | None) -> str:
    """NFKC (full-width digits, 　), &nbsp; and zero-width chars removed, ends stripped.
    Memoised: a report's cell texts are normalised again by every step that reads them."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u200b", "").replace("\ufeff", "")
    return t.strip()


def is_blank_text(text: str) -> bool:
    """Empty or a printed placeholder: the cell holds no figure."""
    t = norm(text)
    return t == "" or t in BLANK_MARKERS


@functools.lru_cache(maxsize=8192)
def is_value_text(text: str) -> bool:
    """Text that occupies a value cell: a number (maybe with unit) or a placeholder. Memoised
    like `norm`: the same few texts («0», «/», a label) fill every table."""
    t = norm(text)
    if t == "" or t in BLANK_MARKERS:
        return True
    return parse_number(t) is not None


@functools.lru_cache(maxsize=8192)
def parse_number(text: str, *, decimal: bool = False) -> int | Decimal | None:
    """The figure in a cell, or None for blank or unreadable text (memoised: ints and Decimals
    are immutable)."""
    t = norm(text)
    if not t or t in BLANK_MARKERS:
        return None
    if _THOUSANDS_RE.match(t):
        t = t.replace(",", "")
    m = _UNIT_RE.match(t)
    if m:
        t = m.group(1)
    if _INT_RE.match(t):
        return Decimal(t) if decimal else int(t)
    if _DEC_RE.match(t):
        try:
            return Decimal(t)
        except InvalidOperation:
            return None
    return None
