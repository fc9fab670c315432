"""The typed model every parser produces and every check consumes.

Cells keep blank (``None``) distinct from 0 and remember where they came from, so a
finding can point a reviewer at the exact place in the original document.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reports.form import (
    SECTION_KEYS,
    TABLE2_ROWS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    table3_rows,
)


class Source(BaseModel):
    """Where a value was read: a line of text, a page of a PDF, or a table cell.

    Frozen: the parser hands out one object for each place (`reports.parse.blocks`), shared by
    every report read at that place; a changed source is a copy (`model_copy(update=...)`)."""

    model_config = ConfigDict(frozen=True)

    line: int | None = None  # 1-based line in the extracted text
    page: int | None = None  # 1-based page of a PDF
    table: int | None = None  # 0-based index of an HTML/Word table
    row: int | None = None  # 0-based row within that table
    col: int | None = None  # 0-based column within that row
    inferred: bool = False  # value reconstructed (e.g. split from a flattened digit run)
    note: str | None = None


class Cell(BaseModel):
    value: int | Decimal | None = None
    raw: str | None = None  # the text as printed, before normalisation
    source: Source | None = None

    @property
    def blank(self) -> bool:
        return self.value is None


class Section(BaseModel):
    present: bool = False
    heading: str | None = None
    text: str = ""
    line: int | None = None


class ParseProblem(BaseModel):
    """A precise reason why part of a document could not be read."""

    where: str  # e.g. "table3.granted", "table2", "document"
    reason: str  # Chinese, for the people who read findings
    detail: dict[str, Any] = Field(default_factory=dict)


class RowDecoding(BaseModel):
    """How one flattened row (its cells run together) was read, for reviewers and `nianbao check`.

    ``how``: ``row_split`` (only one split adds up within the row), ``identities`` (several
    did; the table's column identities left exactly one), ``blank`` (left blank, see reason).
    """

    where: str  # e.g. "table3.granted", "table4"
    label: str  # the row's label as the form names it
    digits: str  # the run(s) of digits as printed, space-separated where the text had spaces
    how: str
    readings: int  # splits that satisfy the row's own sums
    reason: str | None = None  # Chinese, when left blank


def _empty_table2() -> dict[str, dict[str, Cell]]:
    return {row: {cell: Cell() for cell in cells} for row, cells in TABLE2_ROWS.items()}


def _empty_table4() -> dict[str, dict[str, Cell]]:
    return {g: {c: Cell() for c in TABLE4_CELLS} for g in TABLE4_GROUPS}


class ParsedReport(BaseModel):
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    period: str | None = None  # 统计期限 as printed
    form: Form = Form.UNKNOWN
    input_kind: str = "unknown"  # text, pdf, html, docx, ...
    sections: dict[str, Section] = Field(default_factory=lambda: {k: Section() for k in SECTION_KEYS})
    proactive: dict[str, dict[str, Cell]] = Field(default_factory=_empty_table2)
    requests: dict[str, dict[str, Cell]] = Field(default_factory=dict)
    review_litigation: dict[str, dict[str, Cell]] = Field(default_factory=_empty_table4)
    tables_found: dict[str, bool] = Field(
        default_factory=lambda: {"proactive": False, "requests": False, "review_litigation": False}
    )
    images_only: bool = False  # tables appear only as images
    # Tables read from an image by OCR: "read" (every figure verified), "partial" (some left
    # blank), "unread" (seen in the image, no figure verified). Absent: not an image.
    image_tables: dict[str, str] = Field(default_factory=dict)
    problems: list[ParseProblem] = Field(default_factory=list)
    decoding: list[RowDecoding] = Field(default_factory=list)  # flattened rows only
    # Metadata lines a crawler or archive put before the report (「标题:」「发布时间:」「原文链接:」「栏目:」).
    header: dict[str, str] = Field(default_factory=dict)
    text: str = ""  # the full extracted text, for text checks

    def model_post_init(self, _context: Any) -> None:
        if not self.requests:
            self.requests = self.empty_table3(self.form)

    @staticmethod
    def empty_table3(form: Form) -> dict[str, dict[str, Cell]]:
        return {r.key: {c: Cell() for c in TABLE3_COLUMNS} for r in table3_rows(form)}

    @property
    def machine_readable(self) -> bool:
        return any(self.tables_found.values())

    def t3(self, row: str, col: str) -> int | None:
        cell = self.requests.get(row, {}).get(col)
        return None if cell is None else cell.value  # type: ignore[return-value]  # table 3 holds counts: parsed with decimal=False

    def t4(self, group: str, cell: str) -> int | None:
        return self.review_litigation[group][cell].value  # type: ignore[return-value]  # table 4 holds counts: parsed with decimal=False

    def t2(self, row: str, cell: str) -> int | Decimal | None:
        return self.proactive[row][cell].value

    def to_public_json(self, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The documented `nianbao check --json` shape (docs/check-json.md)."""

        def num(v: int | Decimal | None) -> int | float | None:
            if v is None:
                return None
            if isinstance(v, Decimal):
                return int(v) if v == v.to_integral_value() else float(v)
            return v

        return {
            "agency": self.agency,
            "year": self.year,
            "title": self.title,
            "form": self.form.value,
            "sections": {k: self.sections[k].present for k in SECTION_KEYS},
            "proactive": {
                r: {c: num(cell.value) for c, cell in cells.items()} for r, cells in self.proactive.items()
            },
            "requests": {
                r: {c: num(cell.value) for c, cell in cells.items()} for r, cells in self.requests.items()
            },
            "review_litigation": {
                g: {c: num(cell.value) for c, cell in cells.items()}
                for g, cells in self.review_litigation.items()
            },
            "problems": [{"where": p.where, "reason": p.reason} for p in self.problems],
            "findings": findings or [],
        }
