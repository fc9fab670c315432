"""Which form row a record's label names, in the form's order.

PDF text breaks labels over lines, and the broken part may come after the figures, so a
label can start with the previous row's tail (「法规禁止公开3.危及“三安全一稳定”」) or be
cut short (「2.其他法律行政」). The row expected next is tried first, by the start of the
label's own part (the text after its last number such as 「3.」「（一）」「一、」); only then
are later rows searched by their markers. Short markers (「其他」「总计」「规章」) count only at
the start or the end of the label's own part, so 「2.其他法律行政」 is never 「3. 其他」.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from reports.form import RowSpec

_NUMBERING = re.compile(
    r"(?:[（(][一二三四五六七八九十]{1,2}[）)]|(?<![第\d])[一二三四五六七八九十]{1,2}[、．.]|(?<!\d)[1-9][.．、](?!\d))"
)
_NOT_WORD = re.compile(r"[\W_]+")
_SPEC_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]、|三\([一二三四五六七]\)\d?\s*)")
PREFIX_CHARS = 4  # a cut-short label keeps at least this much of the row's label


def own_part(label: str) -> str:
    """The label after its last row number, punctuation and quotes removed."""
    last = None
    for m in _NUMBERING.finditer(label):
        last = m
    tail = label[last.end() :] if last else label
    return _NOT_WORD.sub("", tail)


@functools.cache
def spec_body(spec: RowSpec) -> str:
    """「三(三)2 其他法律行政法规禁止公开」 → 「其他法律行政法规禁止公开」, punctuation removed."""
    return _NOT_WORD.sub("", _SPEC_NUMBER.sub("", spec.label))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def starts_like(label: str, spec: RowSpec) -> bool:
    """The label's own part begins like the row's label (it may be cut short or run on)."""
    return _own_starts_like(own_part(label), spec)


def _own_starts_like(own: str, spec: RowSpec) -> bool:
    body = spec_body(spec)
    return bool(own) and _common_prefix(own, body) >= min(PREFIX_CHARS, len(body))


@functools.cache
def _spec_parts(spec: RowSpec) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The row's label body, its long markers and its short ones."""
    return (
        spec_body(spec),
        tuple(m for m in spec.markers if len(m) > 2),
        tuple(m for m in spec.markers if len(m) <= 2),
    )


def _marker_at(own: str, spec: RowSpec) -> int:
    """The rightmost place in ``own`` (a label's own part) where the row is named, -1 if nowhere.

    Long markers count anywhere, short ones at the start or the end; a label that begins
    like the row's label counts at 0.
    """
    body, long_markers, short_markers = _spec_parts(spec)
    at = -1
    for m in long_markers:
        at = max(at, own.rfind(m))
    for m in short_markers:
        if own.endswith(m):
            at = max(at, len(own) - len(m))
        elif own.startswith(m):
            at = max(at, 0)
    if at < 0 and own and own[0] == body[0] and _common_prefix(own, body) >= min(PREFIX_CHARS, len(body)):
        at = 0
    return at


def match_row(label: str, specs: Sequence[RowSpec], start: int) -> int | None:
    """The row at or after ``start`` that the label names.

    In running text a blank row's label runs into the next row's (「行政许可第二十条第（六）项…
    行政处罚 5」), so the row named last, nearest the figures, is the one they belong to.
    """
    own = own_part(label)
    best, where = None, -1
    for j in range(start, len(specs)):
        at = _marker_at(own, specs[j])
        if at > where:
            best, where = j, at
    if best is not None:
        return best
    # the label's own part is cut short or missing: any long marker in the whole label
    for j in range(start, len(specs)):
        if any(m in label for m in _spec_parts(specs[j])[1]):
            return j
    return None


def named_before(label: str, specs: Sequence[RowSpec], start: int, end: int) -> list[int]:
    """Rows in [start, end) whose markers occur in the label: printed blank, run into a later label."""
    return [j for j in range(start, end) if any(len(m) > 2 and m in label for m in specs[j].markers)]


def leading_fragment(label: str) -> str:
    """The text before a label's first row number: a previous row's label continued after its figures."""
    m = _NUMBERING.search(label)
    return label[: m.start()] if m else label


def match_with_continuation(
    label: str, following: str, specs: Sequence[RowSpec], start: int
) -> tuple[int | None, str]:
    """The row a label names, completing a cut-short label with the text printed after its figures.

    PDF cells wrap: 「三、本年度办理结果（一）」 + figures + 「予以公开」. When the label alone
    names no row, or only a later one, the next label's leading fragment (before its own
    number) is tried as this label's end. Returns the row and the fragment used ("" if none).
    """
    j = match_row(label, specs, start)
    if j is not None and _marker_at(own_part(label), specs[j]) >= 0:
        return j, ""  # named by its own part: nothing to borrow
    frag = leading_fragment(following)
    if not frag:
        return j, ""
    k = match_row(label + frag, specs, start)
    if k is not None and (j is None or k <= j) and starts_like(label + frag, specs[k]):
        return k, frag
    return j, ""


class RowMatcher:
    """The matching above for one table's rows, remembered by label: every report of a form
    prints the same labels, and matching each afresh (every row's markers tried against every
    label) cost ≈0.5 ms a report. Built once per row set (`row_matcher`); compared by identity."""

    __slots__ = ("specs",)

    def __init__(self, specs: tuple[RowSpec, ...]) -> None:
        self.specs = specs

    def match_row(self, label: str, start: int) -> int | None:
        return _match_row_memo(self, label, start)

    def match_with_continuation(self, label: str, following: str, start: int) -> tuple[int | None, str]:
        return _continuation_memo(self, label, following, start)

    def named_before(self, label: str, start: int, end: int) -> list[int]:
        return named_before(label, self.specs, start, end)


@functools.cache
def row_matcher(specs: tuple[RowSpec, ...]) -> RowMatcher:
    """The matcher of a row set (the form's few row sets: a handful of matchers in all)."""
    return RowMatcher(specs)


# Bounded: labels come from any document (a hostile one may print thousands of distinct ones).
@functools.lru_cache(maxsize=8192)
def _match_row_memo(matcher: RowMatcher, label: str, start: int) -> int | None:
    return match_row(label, matcher.specs, start)


@functools.lru_cache(maxsize=8192)
def _continuation_memo(matcher: RowMatcher, label: str, following: str, start: int) -> tuple[int | None, str]:
    return match_with_continuation(label, following, matcher.specs, start)
