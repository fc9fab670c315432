"""Row records: a label and the value cells that follow it.

Both table rows (grid) and running PDF text (stream) are reduced to records, so
the table recognisers never care where a row came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.model import Source


@dataclass(slots=True)
class ValueTok:
    raw: str  # text as printed ("" for an empty cell)
    source: Source
    glued: bool = False  # digits stuck to a label or to each other, e.g. 「数量640020470」


@dataclass(slots=True)
class Record:
    label: str  # whitespace-free label text
    values: list[ValueTok] = field(default_factory=list)
    positional: bool = True  # values are real cells (blank cells kept) vs. stream tokens
    source: Source | None = None

    @property
    def filled(self) -> list[ValueTok]:
        return [v for v in self.values if v.raw.strip()]
