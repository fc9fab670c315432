"""OCR'd labels put back to the form's own wording (OCR drops and swaps characters).

The vocabulary is every label the standard forms print (section headings, the row and
column labels of tables 二, 三 and 四 as `reports.layout` lays them out), so a row is then
recognised by the same markers as in any other input. A label is replaced only when it
is clearly closest to one printed label; short ones must match almost exactly.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz, process

from reports.form import SECTION_LABELS, Form
from reports.model import ParsedReport
from reports.parse.values import norm

_SPACE = re.compile(r"\s+")
_NOISE = re.compile(r"[·•'`\"“”‘’_~|]")


def _key(text: str) -> str:
    return _NOISE.sub("", _SPACE.sub("", norm(text)))


@functools.lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Every label printed by the F2021 and F2019 forms, and the six section headings."""
    from reports.layout import table2_rows_model, table3_rows_model, table4_rows_model

    labels: set[str] = set(SECTION_LABELS.values())
    for form in (Form.F2021, Form.F2019):
        blank = ParsedReport(form=form)
        for model in (table2_rows_model(blank), table3_rows_model(blank), table4_rows_model(blank)):
            labels.update(c.text for row in model for c in row if c.text)
    return tuple(sorted(labels))


@functools.lru_cache(maxsize=1)
def _keys() -> dict[str, str]:
    return {_key(v): v for v in vocabulary()}


def canonical(text: str) -> str:
    """The printed label an OCR'd label stands for, or the text itself when none is clearly it."""
    key = _key(text)
    if len(key) < 2:
        return text
    keys = _keys()
    if key in keys:
        return keys[key]
    cutoff = 90.0 if len(key) <= 4 else 75.0
    best = process.extract(key, list(keys), scorer=fuzz.ratio, limit=2, score_cutoff=cutoff)
    if not best:
        return text
    if len(best) > 1 and best[0][1] - best[1][1] < 5:
        return text  # two labels equally close: leave it to the markers
    return keys[best[0][0]]
