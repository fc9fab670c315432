"""Flattened rows: 「一、本年新收政府信息公开申请数量640020470」.

The rules: a digit run where 7 cells were expected is split only when exactly one
split makes the six applicant cells add up to the 总计 cell, or, when several do, when
the table's column identities leave exactly one; the split cells are marked inferred.
Otherwise the row stays blank and a problem says why — and the arithmetic checks still
run on what was read.
"""

from __future__ import annotations

import random

import pytest

from replicas.flatten import WAYS, flatten
from replicas.samples import sample_report
from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.form import TABLE3_COLUMNS
from reports.parse import parse_text
from reports.parse.decide import RowFit, decide
from reports.parse.fit import fit
from reports.parse.records import ValueTok
from reports.parse.splits import Budget, SumGroup, row_splits
from reports.parse.tokens import text_tokens
from tests.known import known

from .helpers import seed_text

TSV_NEW = "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t"
TSV_GRANTED = "三、本年度办理结果\t(一) 予以公开\t0\t0\t0\t0\t0\t0\t0\t"
TSV_TOTAL = "(七) 总计\t\t0\t0\t0\t0\t0\t0\t0\t"
TSV_FORWARD = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0\t"
T3_SUM = (SumGroup(parts=(0, 1, 2, 3, 4, 5), total=6),)


def _tsv_report(new_line: str, row: list[int], *, forward_line: str | None = None) -> str:
    """zhanhe-gongxin with the new row flattened and granted/总计 consistent with ``row``."""
    text = seed_text("zhanhe-gongxin-2024")
    cells = "\t".join(map(str, row))
    for old in (TSV_NEW, TSV_GRANTED, TSV_TOTAL, TSV_FORWARD):
        assert old in text
    text = text.replace(TSV_NEW, new_line)
    text = text.replace(TSV_GRANTED, f"三、本年度办理结果\t(一) 予以公开\t{cells}\t")
    if forward_line is not None:
        text = text.replace(TSV_FORWARD, forward_line)
    return text.replace(TSV_TOTAL, f"(七) 总计\t\t{cells}\t")


def _line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, ln in enumerate(text.split("\n")) if needle in ln)


def _row(r, key: str) -> list[int | None]:
    return [c.value for c in r.requests[key].values()]


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
        assert known(cell.source).inferred is True
        assert known(cell.source).line == line
        assert "640020470" in known(known(cell.source).note) and "唯一拆分" in known(known(cell.source).note)
    assert known(r.requests["granted"]["natural_person"].source).inferred is False
    assert r.requests["granted"]["total"].value == 70
    assert not [p for p in r.problems if p.where == "table3.new"]
    (dec,) = [d for d in r.decoding if d.where == "table3.new"]
    assert (dec.how, dec.digits, dec.readings) == ("row_split", "640020470", 1)


def test_several_row_splits_are_decided_by_the_column_identities() -> None:
    # 110000011 → 1|10|0|0|0|0|11 and 11|0|0|0|0|0|11 both add up within the row; only the
    # second makes 一 + 二 = (七) + 四 hold in every column (granted = 总计 = 11|0|…|11).
    text = _tsv_report("一、本年新收政府信息公开申请数量110000011", [11, 0, 0, 0, 0, 0, 11])
    r = parse_text(text)
    assert _row(r, "new") == [11, 0, 0, 0, 0, 0, 11]
    note = known(known(r.requests["new"]["natural_person"].source).note)
    assert "110000011" in note and "2种拆分" in note and "勾稽关系" in note
    assert all(known(c.source).inferred for c in r.requests["new"].values())
    assert not [p for p in r.problems if p.where == "table3.new"]
    (dec,) = [d for d in r.decoding if d.where == "table3.new"]
    assert (dec.how, dec.readings) == ("identities", 2)
    assert not [f for f in run_checks(r, CheckContext()) if f.rule.startswith("T3") and f.status == "fail"]


def test_rows_the_identities_cannot_tell_apart_stay_blank() -> None:
    # 一 and 四 both print 110000011 with 二 and (七) zero: 一 = 四 in every column, so
    # 1|10|… for both or 11|0|… for both are equally consistent.
    text = _tsv_report(
        "一、本年新收政府信息公开申请数量110000011",
        [0] * 7,
        forward_line="四、结转下年度继续办理110000011",
    )
    r = parse_text(text)
    assert _row(r, "new") == [None] * 7 and _row(r, "carried_forward") == [None] * 7
    for key in ("new", "carried_forward"):
        (prob,) = [p for p in r.problems if p.where == f"table3.{key}"]
        assert "110000011" in prob.reason and "2种拆分" in prob.reason and "其中2种" in prob.reason
        assert sorted(prob.detail["splits"]) == [[1, 10, 0, 0, 0, 0, 11], [11, 0, 0, 0, 0, 0, 11]]
        assert prob.detail["consistent"] == 2 and prob.detail["assignments"] == 2
    assert {d.how for d in r.decoding if d.where in ("table3.new", "table3.carried_forward")} == {"blank"}
    assert _row(r, "granted") == [0] * 7


def test_no_consistent_split_leaves_the_row_blank_with_a_problem() -> None:
    text = _tsv_report("一、本年新收政府信息公开申请数量11000000112", [11, 0, 0, 0, 0, 0, 11])
    r = parse_text(text)
    assert _row(r, "new") == [None] * 7
    (prob,) = [p for p in r.problems if p.where == "table3.new"]
    assert "无法拆分" in prob.reason and "11000000112" in prob.reason


def test_a_real_imbalance_is_still_found_with_the_right_figures() -> None:
    """一 and (七) split uniquely but disagree by one in 其他: no consistent assignment exists.

    Rows with a unique split keep it, the ambiguous one stays blank with the reason, and
    T3-BALANCE reports the printed figures.
    """
    text = seed_text("jianxi-gongxin-2024")
    swaps = {
        "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0": "一、本年新收政府信息公开申请数量640020470",
        "（一）予以公开 0 0 0 0 0 0 0": "（一）予以公开 53 0 0 2 0 5 60",
        "4.保护第三方合法权益 0 0 0 0 0 0 0": "4.保护第三方合法权益110000011",
        "（七）总计 0 0 0 0 0 0 0": "（七）总计640020571",
    }
    for old, new in swaps.items():
        assert old in text
        text = text.replace(old, new)
    r = parse_text(text)
    assert _row(r, "new") == [64, 0, 0, 2, 0, 4, 70]
    assert _row(r, "outcome_total") == [64, 0, 0, 2, 0, 5, 71]
    assert _row(r, "refused_third_party") == [None] * 7
    (prob,) = [p for p in r.problems if p.where == "table3.refused_third_party"]
    assert "没有一种组合" in prob.reason and prob.detail["assignments"] == 0
    balance = {f.evidence["column"]: f for f in run_checks(r, CheckContext()) if f.rule == "T3-BALANCE"}
    failing = {c: f for c, f in balance.items() if f.status == "fail"}
    assert set(failing) == {"other_org", "total"}
    assert failing["other_org"].evidence["values"] == {
        "new": 4,
        "carried_over": 0,
        "outcome_total": 5,
        "carried_forward": 0,
    }
    assert failing["total"].evidence["expected"] == 70 and failing["total"].evidence["actual"] == 71


def test_flattened_row_in_pdf_style_text() -> None:
    text = seed_text("jianxi-gongxin-2024").replace(
        "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0", "一、本年新收政府信息公开申请数量640020470"
    )
    text = text.replace("（一）予以公开 0 0 0 0 0 0 0", "（一）予以公开 64 0 0 2 0 4 70")
    text = text.replace("（七）总计 0 0 0 0 0 0 0", "（七）总计 64 0 0 2 0 4 70")
    r = parse_text(text)
    assert _row(r, "new") == [64, 0, 0, 2, 0, 4, 70]
    assert all(known(c.source).inferred for c in r.requests["new"].values())
    assert _row(r, "granted") == [64, 0, 0, 2, 0, 4, 70]
    assert not any(known(c.source).inferred for c in r.requests["granted"].values())


def test_the_next_rows_number_stuck_to_the_figures_is_not_a_figure() -> None:
    """「…5.属于三类内部事务信息4100000416.属于四类过程性信息…」 is 41|0|0|0|0|0|41, then row 6."""
    text = seed_text("jianxi-gongxin-2024")
    old = "5.属于三类内部事务信息 0 0 0 0 0 0 0\n\n6.属于四类过程性信息 0 0 0 0 0 0 0"
    assert old in text
    text = text.replace(old, "5.属于三类内部事务信息4100000416.属于四类过程性信息0000000")
    text = text.replace("（七）总计 0 0 0 0 0 0 0", "（七）总计 41 0 0 0 0 0 41")
    text = text.replace(
        "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0", "一、本年新收政府信息公开申请数量410000041"
    )
    r = parse_text(text)
    assert _row(r, "refused_internal_affairs") == [41, 0, 0, 0, 0, 0, 41]
    assert _row(r, "refused_process_info") == [0] * 7
    assert _row(r, "new") == [41, 0, 0, 0, 0, 0, 41]
    assert not [p for p in r.problems if p.where.startswith("table3")]


@pytest.mark.parametrize(
    ("printed", "cells"),
    [
        ("30 0 00 0 131", [30, 0, 0, 0, 0, 1, 31]),  # stray spaces in odd places
        ("700000 7", [7, 0, 0, 0, 0, 0, 7]),
        ("64 0 0 2 0 470", [64, 0, 0, 2, 0, 4, 70]),
    ],
)
def test_stray_spaces_are_cell_boundaries_and_the_rest_is_split(printed: str, cells: list[int]) -> None:
    text = seed_text("jianxi-gongxin-2024")
    text = text.replace("（一）予以公开 0 0 0 0 0 0 0", "（一）予以公开 " + " ".join(map(str, cells)))
    text = text.replace("（七）总计 0 0 0 0 0 0 0", "（七）总计 " + " ".join(map(str, cells)))
    text = text.replace(
        "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0", "一、本年新收政府信息公开申请数量 " + printed
    )
    r = parse_text(text)
    assert _row(r, "new") == cells
    assert known(r.requests["new"]["total"].source).inferred


def test_table4_as_one_run_of_fifteen_digits() -> None:
    text = seed_text("jianxi-gongxin-2024")
    old = "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
    assert text.count(old) == 1
    r = parse_text(text.replace(old, "123410567826910111242"))
    assert [c.value for g in r.review_litigation.values() for c in g.values()] == [
        1, 2, 3, 4, 10, 5, 6, 7, 8, 26, 9, 10, 11, 12, 42,
    ]  # fmt: skip
    assert known(r.review_litigation["review"]["total"].source).inferred
    assert [d.how for d in r.decoding if d.where == "table4"] == ["row_split"]


def test_table2_runs_are_read_only_when_no_other_reading_fits() -> None:
    text = seed_text("jianxi-gongxin-2024")
    text = text.replace("规章 0 0 0", "规章000").replace("行政规范性文件 0 0 0", "行政规范性文件58247")
    text = text.replace("行政许可 0", "行政许可1234")
    r = parse_text(text)
    assert [c.value for c in r.proactive["regulations"].values()] == [0, 0, 0]
    assert known(r.proactive["regulations"]["issued"].source).inferred
    assert [c.value for c in r.proactive["normative_documents"].values()] == [None] * 3
    (prob,) = [p for p in r.problems if p.where == "table2.normative_documents"]
    assert "58247" in prob.reason and "6种" in prob.reason
    assert r.proactive["licensing"]["decisions"].value == 1234


def test_table2_run_that_may_hide_an_empty_cell_stays_blank() -> None:
    # 「100」 is 1|0|0 as three cells, but 10|空|0 as well: an empty cell leaves no trace.
    r = parse_text(seed_text("jianxi-gongxin-2024").replace("规章 0 0 0", "规章100"))
    assert [c.value for c in r.proactive["regulations"].values()] == [None] * 3
    (prob,) = [p for p in r.problems if p.where == "table2.regulations"]
    assert "空白单元格" in prob.reason


def test_labels_then_figures_column_by_column_leave_table3_blank() -> None:
    """Some extractors emit every row label, then all 自然人 figures, all 商业企业 figures …"""
    text = seed_text("jianxi-gongxin-2024")
    start = text.index("一、本年新收政府信息公开申请数量")
    end = text.index("四、政府信息公开行政复议")
    rows = [ln for ln in text[start:end].split("\n") if ln.strip()]
    labels = [" ".join(w for w in ln.split() if not w.isdigit()) for ln in rows]
    figures = [w for ln in rows for w in ln.split() if w.isdigit()]
    by_column = [figures[i] for c in range(7) for i in range(c, len(figures), 7)]
    text = text[:start] + "\n".join([*filter(None, labels), *by_column]) + "\n" + text[end:]
    r = parse_text(text)
    assert r.tables_found["requests"]
    assert all(v is None for row in r.requests.values() for v in (c.value for c in row.values()))
    (prob,) = [p for p in r.problems if p.where == "table3"]
    assert "按列提取" in prob.reason and "整表留空" in prob.reason


def test_missing_figure_in_pdf_style_row_is_not_guessed() -> None:
    """Six figures where seven were expected: the blank's position is unknown."""
    text = seed_text("jianxi-gongxin-2024").replace(
        "1.属于国家秘密 0 0 0 0 0 0 0", "1.属于国家秘密 0 0 0 0 0 0"
    )
    r = parse_text(text)
    assert _row(r, "refused_state_secret") == [None] * 7
    (prob,) = [p for p in r.problems if p.where == "table3.refused_state_secret"]
    assert "6" in prob.reason and "7" in prob.reason
    assert _row(r, "refused_prohibited_by_law") == [0] * 7


# --- the search is bounded --------------------------------------------------------


def test_row_split_search_stops_at_its_budget() -> None:
    budget = Budget(50)
    found = row_splits(["1" * 30], 7, T3_SUM, budget=budget)
    assert not found.complete and budget.exhausted


def test_row_split_search_stops_at_its_cap() -> None:
    # zeros around a 1-digit total: every placement of the digits "1" and "0"s adds up
    found = row_splits(["1111111111116"], 7, T3_SUM, cap=3)
    assert len(found.readings) == 3 and not found.complete


def test_a_table_whose_search_runs_out_leaves_its_rows_blank_with_the_reason() -> None:
    def run(digits: str) -> list[ValueTok]:
        return [ValueTok(raw=digits, source=_src(), glued=True)]

    rows = []
    for key in ("new", "carried_over", "granted", "outcome_total", "carried_forward"):
        f = fit(run("110000011"), 7, positional=False, groups=T3_SUM)
        assert len(f.readings) == 2
        rows.append(RowFit(key, key, f))
    out = decide(rows, "table3", has_sums=True, outcome=("granted",), budget=Budget(3))
    assert out.cells == {}
    assert {d.how for d in out.decoding} == {"blank"}
    assert all("超出计算上限" in p.reason for p in out.problems)


def _src():
    from reports.model import Source

    return Source(line=1)


def test_decided_cells_list_all_seven_columns() -> None:
    text = _tsv_report("一、本年新收政府信息公开申请数量110000011", [11, 0, 0, 0, 0, 0, 11])
    r = parse_text(text)
    assert list(r.requests["new"]) == list(TABLE3_COLUMNS)


@pytest.mark.parametrize("way", WAYS)
def test_text_and_table_one_apart_is_found_against_the_printed_total(way: str) -> None:
    """The issue's case: the 总计 must be read as printed (or not at all), never as 0."""
    truth = sample_report(random.Random(2))
    total = truth.requests["new"]["total"].value
    assert total and total >= 10
    truth.sections["overview"].text = f"2024年，本局共收到政府信息公开申请{total + 1}件，均已按时办结。"
    r = parse_text(flatten(truth, way))
    (f,) = [f for f in run_checks(r, CheckContext()) if f.rule == "TEXT-TABLE"]
    assert (f.evidence["table_value"], f.evidence["stated"], f.evidence["difference"]) == (
        total,
        total + 1,
        1,
    )


def test_an_unread_row_makes_its_identity_unusable_and_says_which() -> None:
    text = _tsv_report("一、本年新收政府信息公开申请数量110000011", [11, 0, 0, 0, 0, 0, 11])
    old = "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t"
    assert old in text
    r = parse_text(text.replace(old, "二、上年结转政府信息公开申请数量\t1\t2"))
    assert _row(r, "carried_over") == [None] * 7 and _row(r, "new") == [None] * 7
    (prob,) = [p for p in r.problems if p.where == "table3.new"]
    assert "收支平衡" in prob.reason and "无法使用" in prob.reason
    assert "「二、上年结转政府信息公开申请数量」" in prob.reason


@pytest.mark.parametrize(
    "prose",
    [
        "本报告数据统计期限为2024年1月1日至2024年12月31日",
        "全年主动公开政府信息6条，其中：1.机构职能类2条；2.财政资金类4条",
        "共收到申请9288件，办结率100%，组织培训3次，参训60人",
        "依据第20条第(1)项，按3类情形处理",
    ],
)
def test_digits_in_prose_are_text_not_figures(prose: str) -> None:
    assert [t.raw for t in text_tokens(prose) if t.value] == []


def test_figures_glued_to_labels_are_figures() -> None:
    toks = text_tokens("…数量640020470二、上年结转…数量0000000三、本年度办理结果")
    assert [(t.raw, t.glued) for t in toks if t.value] == [("640020470", True), ("0000000", True)]
