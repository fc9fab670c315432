"""Property: the remembered matching (`RowMatcher`) answers as the matching itself does, for
labels made of the form's own labels, cut, run together and mixed with figures and noise, at
every starting row, asked in any order (an answer for one start or one following text must
never stand for another)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.form import TABLE3_ROWS_F2019, TABLE3_ROWS_F2021
from reports.parse.rowmatch import match_row, match_with_continuation, named_before, row_matcher

_PIECES = [s.label for s in TABLE3_ROWS_F2021] + [m for s in TABLE3_ROWS_F2021 for m in s.markers]
_PIECE = st.one_of(
    st.sampled_from(_PIECES),
    st.sampled_from(_PIECES).map(lambda p: p[: len(p) // 2]),
    st.sampled_from(_PIECES).map(lambda p: p[len(p) // 2 :]),
    st.sampled_from(["3.", "（一）", "一、", "12", " ", "其他", "总计", "x"]),
)
_LABEL = st.lists(_PIECE, max_size=4).map("".join)
_ASK = st.tuples(_LABEL, _LABEL, st.integers(0, len(TABLE3_ROWS_F2021)))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ASK, min_size=1, max_size=8), st.sampled_from([TABLE3_ROWS_F2021, TABLE3_ROWS_F2019]))
def test_remembered_matching_answers_as_matching(asks: list[tuple[str, str, int]], specs: tuple) -> None:
    rows = row_matcher(specs)
    for label, following, start in asks + asks[::-1]:  # asked again: from memory
        assert rows.match_row(label, start) == match_row(label, list(specs), start)
        assert rows.match_with_continuation(label, following, start) == match_with_continuation(
            label, following, list(specs), start
        )
        end = min(start + 3, len(specs))
        assert rows.named_before(label, start, end) == named_before(label, list(specs), start, end)


def test_one_matcher_per_row_set() -> None:
    assert row_matcher(tuple(TABLE3_ROWS_F2021)) is row_matcher(TABLE3_ROWS_F2021)
    assert row_matcher(TABLE3_ROWS_F2019) is not row_matcher(TABLE3_ROWS_F2021)
