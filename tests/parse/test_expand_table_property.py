"""Property: an HTML table's grid is the HTML table model's, whatever the spans.

`expand_table` reads most cells on a fast path (no span: one position, no copies); this
checks it against the table model written out plainly (every cell placed at the first free
column of its row, its rowspan × colspan positions filled, the copies marked spanned), on
random tables with random spans, nested markup in cells and blank cells.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement

from reports.parse.html import _cell_text, expand_table
from reports.parse.htmltree import html_tree

_TEXTS = st.sampled_from(["", "0", "12", "予以公开", "自然人", "<b>3</b>", "<p>1</p><p>2</p>", "总 计"])
_CELL = st.tuples(_TEXTS, st.integers(1, 3), st.integers(1, 3), st.sampled_from(["td", "th"]))
_TABLE = st.lists(st.lists(_CELL, min_size=0, max_size=5), min_size=1, max_size=6)


def _html(rows: list[list[tuple[str, int, int, str]]]) -> str:
    body = "".join(
        "<tr>"
        + "".join(
            f"<{tag}{f' rowspan={rs}' if rs > 1 else ''}{f' colspan={cs}' if cs > 1 else ''}>{text}</{tag}>"
            for text, rs, cs, tag in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<html><body><table>{body}</table></body></html>"


def _model(
    rows: list[list[tuple[str, int, int, str]]], texts: list[list[str]]
) -> list[list[tuple[str, bool]]]:
    """The grid by the table model: (text, spanned) at each position, holes blank."""
    grid: dict[tuple[int, int], tuple[str, bool]] = {}
    for r, row in enumerate(rows):
        c = 0
        for (_, rs, cs, _), text in zip(row, texts[r], strict=True):
            while (r, c) in grid:
                c += 1
            for dr in range(min(rs, len(rows) - r)):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = (text, bool(dr or dc))
            c += cs
    width = [1 + max((c for (rr, c) in grid if rr == r), default=-1) for r in range(len(rows))]
    return [[grid.get((r, c), ("", False)) for c in range(width[r])] for r in range(len(rows))]


@settings(max_examples=300, deadline=None)
@given(_TABLE)
def test_the_grid_is_the_table_models(rows: list[list[tuple[str, int, int, str]]]) -> None:
    root = html_tree(_html(rows))
    assert root is not None
    table = next(root.iter("table"))
    # the texts as the parser reads each cell (nested paragraphs joined by a space)
    texts = [[_read(td) for td in tr.iterchildren("td", "th")] for tr in table.iter("tr")]
    grid = expand_table(table)
    got = [[(cell.text, cell.spanned) for cell in row] for row in grid]
    assert got == _model(rows, texts)
    for row in grid:
        assert [cell.col for cell in row] == list(range(len(row)))


def _read(td: HtmlElement) -> str:
    return _cell_text(td)


def test_the_fast_path_reads_a_cell_like_the_general_one() -> None:
    """A cell without child elements is read from its own text: the same text, whitespace
    squeezed, as the general reading of a cell with markup inside."""
    root = html_tree(
        "<table><tr><td>  予以\u3000公开\n 3 </td><td><span>  予以\u3000公开\n 3 </span></td></tr></table>"
    )
    assert root is not None
    (row,) = expand_table(next(root.iter("table")))
    assert [c.text for c in row] == ["予以 公开 3", "予以 公开 3"]
