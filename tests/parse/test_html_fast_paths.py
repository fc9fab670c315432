"""Properties: the HTML reader's shortcuts answer as the plain readings do — a cell's text (a
bare figure taken as it is) and whether a table names a report table (its text asked before
its whitespace is removed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.parse.html import _TABLE_WORDS, _WS, _cell_text, _names_a_report_table
from reports.parse.htmltree import html_tree, text_of

_BITS = st.sampled_from(
    ["12", "0", "٣", "²", " ", "\u3000", "\xa0", "\n", "本年", "新收", "信息内容", "行政", "复议", "x"]
)
_TEXT = st.lists(_BITS, max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_a_table_is_named_as_its_whitespace_free_text_says(text: str) -> None:
    flat = _WS.sub("", text)
    assert _names_a_report_table(text) == any(w in flat for w in _TABLE_WORDS)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["", "<b>7</b>", "<br>", "<span> 3 </span>"]))
def test_a_cells_text_is_its_text_with_whitespace_collapsed(text: str, markup: str) -> None:
    root = html_tree(f"<table><tr><td>{text}{markup}</td></tr></table>")
    assert root is not None
    (td,) = root.iter("td")
    assert _cell_text(td) == _WS.sub(" ", text_of(td, " ")).strip()
