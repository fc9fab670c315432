"""Flattened rows: 「一、本年新收政府信息公开申请数量640020470」.

The rule: a digit run where 7 cells were expected is split only when exactly one
split makes the six applicant cells add up to the 总计 cell; the split cells are
marked inferred. Otherwise the row stays blank and a problem says why.
"""

from __future__ import annotations

import pytest

from reports.parse import parse_text

from .helpers import seed_text

TSV_NEW = "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t"
TSV_GRANTED = "三、本年度办理结果\t(一) 予以公开\t0\t0\t0\t0\t0\t0\t0\t"
TSV_TOTAL = "(七) 总计\t\t0\t0\t0\t0\t0\t0\t0\t"


def _tsv_report(new_line: str, row: list[int]) -> str:
    """zhanhe-gongxin with the new row flattened and granted/总计 consistent with ``row``."""
    text = seed_text("zhanhe-gongxin-2024")
    cells = "\t".join(map(str, row))
    for old in (TSV_NEW, TSV_GRANTED, TSV_TOTAL):
        assert old in text
    text = text.replace(TSV_NEW, new_line)
    text = text.replace(TSV_GRANTED, f"三、本年度办理结果\t(一) 予以公开\t{cells}\t")
    return text.replace(TSV_TOTAL, f"(七) 总计\t\t{cells}\t")


def _line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, ln in enumerate(text.split("\n")) if needle in ln)


@pytest.mark.parametrize(
    "new_line",
    [
        "一、本年新收政府信息公开申请数量640020470",  # label and digits in one run, no tabs
        "一、本年新收政府信息公开申请数量\t640020470\t\t\t\t\t\t",  # the run in one cell
    ],
)
def test_unique_split_is_taken_and_marked_inferred(new_line: str) -> None:
    text = _tsv_report(new_line, [64, 0, 0, 2, 0, 4, 70])
    r = parse_text(text)
    row = r.requests["new"]
    assert [c.value for c in row.values()] == [64, 0, 0, 2, 0, 4, 70]
    assert [c.raw for c in row.values()] == ["64", "0", "0", "2", "0", "4", "70"]
    line = _line_of(text, "640020470")
    for cell in row.values():
        assert cell.source.inferred is True
        assert cell.source.line == line
        assert "640020470" in cell.source.note
    assert r.requests["granted"]["natural_person"].source.inferred is False
    assert r.requests["granted"]["total"].value == 70
    assert not [p for p in r.problems if p.where == "table3.new"]


def test_several_splits_leave_the_row_blank_with_a_problem() -> None:
    # 110000011 → 1|10|0|0|0|0|11 and 11|0|0|0|0|0|11 both add up: no guess.
    text = _tsv_report("一、本年新收政府信息公开申请数量110000011", [11, 0, 0, 0, 0, 0, 11])
    r = parse_text(text)
    assert [c.value for c in r.requests["new"].values()] == [None] * 7
    probs = [p for p in r.problems if p.where == "table3.new"]
    assert len(probs) == 1
    assert "多种拆分" in probs[0].reason and "110000011" in probs[0].reason
    assert sorted(probs[0].detail["splits"]) == [[1, 10, 0, 0, 0, 0, 11], [11, 0, 0, 0, 0, 0, 11]]
    assert r.requests["granted"]["natural_person"].value == 11


def test_no_consistent_split_leaves_the_row_blank_with_a_problem() -> None:
    text = _tsv_report("一、本年新收政府信息公开申请数量11000000112", [11, 0, 0, 0, 0, 0, 11])
    r = parse_text(text)
    assert [c.value for c in r.requests["new"].values()] == [None] * 7
    (prob,) = [p for p in r.problems if p.where == "table3.new"]
    assert "无法拆分" in prob.reason


def test_flattened_row_in_pdf_style_text() -> None:
    text = seed_text("jianxi-gongxin-2024").replace(
        "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0", "一、本年新收政府信息公开申请数量640020470"
    )
    text = text.replace("（一）予以公开 0 0 0 0 0 0 0", "（一）予以公开 64 0 0 2 0 4 70")
    text = text.replace("（七）总计 0 0 0 0 0 0 0", "（七）总计 64 0 0 2 0 4 70")
    r = parse_text(text)
    assert [c.value for c in r.requests["new"].values()] == [64, 0, 0, 2, 0, 4, 70]
    assert all(c.source.inferred for c in r.requests["new"].values())
    assert [c.value for c in r.requests["granted"].values()] == [64, 0, 0, 2, 0, 4, 70]
    assert not any(c.source.inferred for c in r.requests["granted"].values())


def test_missing_figure_in_pdf_style_row_is_not_guessed() -> None:
    """Six figures where seven were expected: the blank's position is unknown."""
    text = seed_text("jianxi-gongxin-2024").replace(
        "1.属于国家秘密 0 0 0 0 0 0 0", "1.属于国家秘密 0 0 0 0 0 0"
    )
    r = parse_text(text)
    assert [c.value for c in r.requests["refused_state_secret"].values()] == [None] * 7
    (prob,) = [p for p in r.problems if p.where == "table3.refused_state_secret"]
    assert "6" in prob.reason and "7" in prob.reason
    assert [c.value for c in r.requests["refused_prohibited_by_law"].values()] == [0] * 7
