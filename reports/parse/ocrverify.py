"""Verify, then trust: an OCR'd figure is kept only when its table's identities hold with it.

Table 三 has a row identity per row (six applicant columns = 总计) and two per column
((七)总计 = the outcome rows; 一 + 二 = (七)总计 + 四); table 四 one per group (four
results = 总计). A failing identity is blamed on the one cell where it crosses another
failing identity when there is exactly one such cell (a single misread digit breaks its
row and its column), otherwise on all of its OCR'd cells; then a figure stays only when
an identity holding with all its members read contains it. Table 二 has no identity, so
none of its OCR'd figures is trusted. Everything blanked is said, with what OCR saw, and
the table's image status lands in ``ParsedReport.image_tables`` for the TABLES check.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from reports.form import (
    TABLE2_CELL_LABELS,
    TABLE2_ROW_LABELS,
    TABLE3_COLUMN_LABELS,
    TABLE3_COLUMNS,
    TABLE3_ROW_LABELS,
    TABLE4_CELL_LABELS,
    TABLE4_CELLS,
    TABLE4_GROUP_LABELS,
    TABLE4_GROUPS,
    outcome_rows,
)
from reports.model import Cell, ParsedReport, ParseProblem
from reports.parse.blocks import Document

if TYPE_CHECKING:  # scanpage pulls in numpy: for the annotation only
    from reports.parse.scanpage import CellReading

log = logging.getLogger(__name__)

REASON = "OCR识别结果未能通过勾稽关系核验"
IMAGE_READ, IMAGE_PARTIAL, IMAGE_UNREAD = "read", "partial", "unread"

CellKey = tuple[str, str, str]  # (table, row, column)


@dataclass(frozen=True)
class Identity:
    name: str
    terms: tuple[tuple[CellKey, int], ...]  # cell and its sign; the signed sum must be 0

    @property
    def cells(self) -> tuple[CellKey, ...]:
        return tuple(k for k, _ in self.terms)


def identities(report: ParsedReport) -> list[Identity]:
    """Every identity the form states for tables 三 and 四."""
    out: list[Identity] = []
    rows = list(report.requests)
    for row in rows:
        terms = [(("requests", row, c), 1) for c in TABLE3_COLUMNS[:-1]]
        out.append(Identity(f"row:{row}", (*terms, (("requests", row, "total"), -1))))
    outcomes = [k for k in outcome_rows(report.form) if k != "outcome_total" and k in report.requests]
    for col in TABLE3_COLUMNS:
        if "outcome_total" in report.requests and outcomes:
            terms = [(("requests", k, col), 1) for k in outcomes]
            out.append(Identity(f"outcomes:{col}", (*terms, (("requests", "outcome_total", col), -1))))
        if all(k in report.requests for k in ("new", "carried_over", "outcome_total", "carried_forward")):
            out.append(
                Identity(
                    f"balance:{col}",
                    (
                        (("requests", "new", col), 1),
                        (("requests", "carried_over", col), 1),
                        (("requests", "outcome_total", col), -1),
                        (("requests", "carried_forward", col), -1),
                    ),
                )
            )
    for g in TABLE4_GROUPS:
        terms = [(("review_litigation", g, c), 1) for c in TABLE4_CELLS[:-1]]
        out.append(Identity(f"group:{g}", (*terms, (("review_litigation", g, "total"), -1))))
    return out


def _cell(report: ParsedReport, key: CellKey) -> Cell | None:
    table: dict[str, dict[str, Cell]] = getattr(report, key[0])
    return table.get(key[1], {}).get(key[2])


def _state(report: ParsedReport, ident: Identity) -> bool | None:
    """True when it holds, False when it fails, None when a member is blank or not a count."""
    total = 0
    for key, sign in ident.terms:
        cell = _cell(report, key)
        if cell is None or not isinstance(cell.value, int):
            return None
        total += sign * cell.value
    return total == 0


def _from_ocr(cell: Cell, doc: Document) -> bool:
    """Read from an OCR'd page: in a table OCR rebuilt, or in a line of text OCR read."""
    s = cell.source
    if s is None:
        return False
    if s.table is not None:
        return s.table in doc.ocr_table_ids
    return s.page is not None and s.page in doc.ocr_pages


MAX_REREADS = 60  # figure cells read again on their own, per document


def verify_ocr(report: ParsedReport, doc: Document, *, budget_s: float = 30.0) -> None:
    """Blank every OCR'd figure its identities do not confirm, and say why.

    The cells a failing identity is put down to, and the cells with ink that gave no figure,
    are first read again on their own (digits only); the identities then decide again."""
    tables = ("proactive", "requests", "review_litigation")
    ocr_cells: dict[CellKey, Cell] = {}
    unread: set[CellKey] = set()
    for t in tables:
        if not report.tables_found.get(t):
            continue
        for row, cells in getattr(report, t).items():
            for col, cell in cells.items():
                if not _from_ocr(cell, doc):
                    continue
                src = cell.source
                assert src is not None
                cell.source = src.model_copy(update={"note": "ocr", "inferred": True})
                if cell.value is not None:
                    ocr_cells[(t, row, col)] = cell
                elif (seen_ink := _reading(doc, cell)) is not None and seen_ink.ink:
                    unread.add((t, row, col))
    if not ocr_cells and not unread:
        return
    seen: dict[CellKey, int | Decimal | None] = {k: cell.value for k, cell in ocr_cells.items()}
    blamed = _blame(report, set(ocr_cells))
    for key in blamed:
        ocr_cells[key].value = seen[key]  # put back: read again below, then judged afresh
    reread = _read_again(report, doc, sorted(blamed | unread), budget_s)
    for key in reread:
        cell = _cell(report, key)
        if cell is not None and cell.value is not None:
            ocr_cells[key] = cell
            unread.discard(key)
    blamed = _blame(report, set(ocr_cells))
    # a figure stays only inside an identity that holds with every member read
    confirmed: set[CellKey] = set()
    for ident in identities(report):
        if _state(report, ident):
            confirmed.update(ident.cells)
    unconfirmed = {k for k, cell in ocr_cells.items() if cell.value is not None and k not in confirmed}
    for key in unconfirmed:
        ocr_cells[key].value = None
    _report(report, blamed | unconfirmed, unread, seen)
    _image_status(report, set(ocr_cells) | unread)


def _reading(doc: Document, cell: Cell) -> CellReading | None:
    s = cell.source
    if s is None or s.page is None or s.table is None or s.row is None or s.col is None:
        return None
    return doc.ocr_readings.get((s.page, s.table, s.row, s.col))


def _failures(report: ParsedReport, idents: list[Identity], key: CellKey) -> tuple[int, int]:
    """(failing, holding) identities among those holding a cell."""
    states = [_state(report, i) for i in idents if key in i.cells]
    return sum(1 for x in states if x is False), sum(1 for x in states if x is True)


def _read_again(report: ParsedReport, doc: Document, keys: list[CellKey], budget_s: float) -> set[CellKey]:
    """Read suspect figure cells alone. A new reading is taken only when the cell's identities
    are better for it: fewer of them fail, or, for a cell that had none, none fails and one holds."""
    from reports.parse.ocrengine import OcrFailed, read_digits_alone

    idents = identities(report)
    deadline = time.monotonic() + budget_s
    changed: set[CellKey] = set()
    for key in keys[:MAX_REREADS]:
        cell = _cell(report, key)
        reading = _reading(doc, cell) if cell is not None else None
        if cell is None or reading is None or reading.crop is None or key[0] == "proactive":
            continue
        left = deadline - time.monotonic()
        if left < 1:
            break
        try:
            digits = read_digits_alone(reading.crop, left)
        except OcrFailed:
            break
        if not digits.isdigit() or len(digits) > 6 or int(digits) == cell.value:
            continue
        before, old = _failures(report, idents, key), cell.value
        cell.value = int(digits)
        after = _failures(report, idents, key)
        better = after[0] < before[0] if old is not None else (after[0] == 0 and after[1] > 0)
        log.debug("read again %s: %s -> %s (failing/holding %s -> %s)", key, old, digits, before, after)
        if better:
            changed.add(key)
        else:
            cell.value = old
    return changed


def _blame(report: ParsedReport, ocr: set[CellKey]) -> set[CellKey]:
    """The OCR'd cells that failing identities are put down to: again and again, the cells that lie
    in the most failing identities (a misread digit breaks its row and its column), until none
    fails; a failure no two identities point at is put down to all of its OCR'd cells."""
    idents = identities(report)
    blamed: set[CellKey] = set()
    while True:
        failing = [i for i in idents if _state(report, i) is False and set(i.cells) & (ocr - blamed)]
        if not failing:
            return blamed
        count = Counter(k for i in failing for k in i.cells if k in ocr and k not in blamed)
        top = max(count.values())
        new = {k for k, n in count.items() if n == top} if top >= 2 else set(count)
        for key in new:
            cell = _cell(report, key)
            if cell is not None:
                cell.value = None  # so the identities it was in are no longer failing
        blamed |= new


def _label(key: CellKey) -> str:
    t, row, col = key
    if t == "requests":
        return f"「{TABLE3_ROW_LABELS.get(row, row)}」行「{TABLE3_COLUMN_LABELS.get(col, col)}」"
    if t == "review_litigation":
        return f"「{TABLE4_GROUP_LABELS.get(row, row)}」「{TABLE4_CELL_LABELS.get(col, col)}」"
    return f"「{TABLE2_ROW_LABELS.get(row, row)}」「{TABLE2_CELL_LABELS.get(col, col)}」"


def _report(
    report: ParsedReport,
    blanked: set[CellKey],
    unread: set[CellKey],
    seen: dict[CellKey, int | Decimal | None],
) -> None:
    """One problem per table row (or group) that lost figures, with what OCR read there."""
    where = {"proactive": "table2", "requests": "table3", "review_litigation": "table4"}
    by_row: dict[tuple[str, str], list[CellKey]] = {}
    for key in sorted(blanked | unread):
        by_row.setdefault((key[0], key[1]), []).append(key)
    for (t, row), keys in by_row.items():
        cols = [k[2] for k in keys]
        why = "表二没有合计关系可供核验" if t == "proactive" else "与同行、同列合计不符或无法核对"
        names = "、".join(_label(k) for k in keys)
        report.problems.append(
            ParseProblem(
                where=f"{where[t]}.{row}",
                reason=f"{REASON}（{why}），以下单元格已留空：{names}",
                detail={
                    "columns": cols,
                    "ocr_values": {k[2]: _jsonable(seen.get(k)) for k in keys},
                    "unread": [k[2] for k in keys if k in unread],
                },
            )
        )


def _jsonable(v: object) -> object:
    return v if v is None or isinstance(v, int) else str(v)


def _image_status(report: ParsedReport, ocr_keys: set[CellKey]) -> None:
    """read / partial / unread per table read from an image; a table left with no figure is not found."""
    for t in ("proactive", "requests", "review_litigation"):
        keys = [k for k in ocr_keys if k[0] == t]
        if not keys:
            continue
        kept = sum(1 for k in keys if (c := _cell(report, k)) is not None and c.value is not None)
        if kept == len(keys):
            report.image_tables[t] = IMAGE_READ
        elif kept:
            report.image_tables[t] = IMAGE_PARTIAL
        else:
            report.image_tables[t] = IMAGE_UNREAD
            report.tables_found[t] = False


_TABLE_NO = {"proactive": "表二", "requests": "表三", "review_litigation": "表四"}
_WHERE = {"proactive": "table2", "requests": "table3", "review_litigation": "table4"}


def image_incomplete(table: str) -> str:
    """「表三为图片，识别不完整」: a table seen in an image whose cells were not all read."""
    return f"{_TABLE_NO[table]}为图片，识别不完整"


def settle_ocr(report: ParsedReport, doc: Document) -> None:
    """After the recognisers ran over OCR'd pages: verify the figures, and say of a table that
    was not read from the image that it is an image not fully read, not that it is missing."""
    verify_ocr(report, doc)
    for t in _TABLE_NO:
        if report.tables_found.get(t):
            continue
        report.image_tables.setdefault(t, IMAGE_UNREAD)
        for i, p in enumerate(report.problems):
            if p.where == _WHERE[t] and p.reason.startswith("未找到"):
                report.problems[i] = p.model_copy(
                    update={"reason": f"{image_incomplete(t)}：未能从图片中读出该表的单元格"}
                )
