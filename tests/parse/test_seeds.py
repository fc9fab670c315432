"""The four real 2024 seed reports, every cell written out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from replicas.flatten import WAYS, flatten
from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.form import Form
from reports.parse import parse_text
from tests.known import known

from .helpers import all_values, seed_text, t2_values, t3_values, t4_values

# All four seeds print zeros in every cell of table 三 (25 rows × 7 columns).
T3_ALL_ZERO = {
    "new": [0, 0, 0, 0, 0, 0, 0],
    "carried_over": [0, 0, 0, 0, 0, 0, 0],
    "granted": [0, 0, 0, 0, 0, 0, 0],
    "partly_granted": [0, 0, 0, 0, 0, 0, 0],
    "refused_state_secret": [0, 0, 0, 0, 0, 0, 0],
    "refused_prohibited_by_law": [0, 0, 0, 0, 0, 0, 0],
    "refused_security_stability": [0, 0, 0, 0, 0, 0, 0],
    "refused_third_party": [0, 0, 0, 0, 0, 0, 0],
    "refused_internal_affairs": [0, 0, 0, 0, 0, 0, 0],
    "refused_process_info": [0, 0, 0, 0, 0, 0, 0],
    "refused_enforcement_file": [0, 0, 0, 0, 0, 0, 0],
    "refused_query": [0, 0, 0, 0, 0, 0, 0],
    "unable_not_held": [0, 0, 0, 0, 0, 0, 0],
    "unable_needs_creation": [0, 0, 0, 0, 0, 0, 0],
    "unable_unclear": [0, 0, 0, 0, 0, 0, 0],
    "unprocessed_petition": [0, 0, 0, 0, 0, 0, 0],
    "unprocessed_repeat": [0, 0, 0, 0, 0, 0, 0],
    "unprocessed_publication": [0, 0, 0, 0, 0, 0, 0],
    "unprocessed_excessive": [0, 0, 0, 0, 0, 0, 0],
    "unprocessed_confirmation": [0, 0, 0, 0, 0, 0, 0],
    "other_no_correction": [0, 0, 0, 0, 0, 0, 0],
    "other_fee_unpaid": [0, 0, 0, 0, 0, 0, 0],
    "other_misc": [0, 0, 0, 0, 0, 0, 0],
    "outcome_total": [0, 0, 0, 0, 0, 0, 0],
    "carried_forward": [0, 0, 0, 0, 0, 0, 0],
}

T4_ALL_ZERO = {
    "review": [0, 0, 0, 0, 0],
    "suit_direct": [0, 0, 0, 0, 0],
    "suit_after_review": [0, 0, 0, 0, 0],
}

T2_ALL_ZERO = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
    "licensing": {"decisions": 0},
    "penalty": {"decisions": 0},
    "coercion": {"decisions": 0},
    "fees": {"amount_wan_yuan": Decimal("0")},
}

SEEDS = {
    "zhanhe-gongxin-2024": {
        "title": "湛河区工信局 2024 年政府信息公开工作年度报告",
        "agency": "湛河区工信局",
        "t2": T2_ALL_ZERO,
        "section_lines": {
            "overview": 5,
            "proactive": 32,
            "requests": 49,
            "review_litigation": 80,
            "problems": 87,
            "other": 97,
        },
    },
    "zhanhe-yingji-2024": {
        "title": "湛河区应急管理局 2024 年政府信息公开工作年度报告",
        "agency": "湛河区应急管理局",
        "t2": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": {"decisions": 9},
            "penalty": {"decisions": 6},
            "coercion": {"decisions": 0},
            "fees": {"amount_wan_yuan": Decimal("0")},
        },
        "section_lines": {
            "overview": 5,
            "proactive": 21,
            "requests": 38,
            "review_litigation": 69,
            "problems": 76,
            "other": 88,
        },
    },
    "shunhe-shenpi-2024": {
        "title": "顺河回族区行政审批和政务信息管理局 2024 年政府信息公开工作年度报告",
        "agency": "顺河回族区行政审批和政务信息管理局",
        # The seed prints 行政强制 0 (line 31) and 行政事业性收费 0 (line 34).
        "t2": T2_ALL_ZERO,
        "section_lines": {
            "overview": 5,
            "proactive": 19,
            "requests": 36,
            "review_litigation": 67,
            "problems": 74,
            "other": 84,
        },
    },
    "jianxi-gongxin-2024": {
        "title": "涧西区工业和信息化局2024年政府信息公开工作年度报告",
        "agency": "涧西区工业和信息化局",
        "t2": T2_ALL_ZERO,
        "section_lines": {
            "overview": 5,
            "proactive": 43,
            "requests": 71,
            "review_litigation": 184,
            "problems": 232,
            "other": 240,
        },
    },
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata(name: str) -> None:
    exp = SEEDS[name]
    r = parse_text(seed_text(name))
    assert r.title == exp["title"]
    assert r.agency == exp["agency"]
    assert r.year == 2024
    assert r.form == Form.F2021
    assert r.input_kind == "text"


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_sections(name: str) -> None:
    r = parse_text(seed_text(name))
    lines = {k: s.line for k, s in r.sections.items() if s.present}
    assert lines == SEEDS[name]["section_lines"]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_tables(name: str) -> None:
    r = parse_text(seed_text(name))
    assert r.tables_found == {"proactive": True, "requests": True, "review_litigation": True}
    assert t2_values(r) == SEEDS[name]["t2"]
    assert t3_values(r) == T3_ALL_ZERO
    assert t4_values(r) == T4_ALL_ZERO
    # Every cell carries what was printed and where.
    for rows in (r.proactive, r.requests, r.review_litigation):
        for cells in rows.values():
            for cell in cells.values():
                assert cell.raw is not None
                assert cell.source is not None and cell.source.line is not None
                assert cell.source.inferred is False
    assert [p for p in r.problems if p.where.startswith(("table", "document"))] == []


def test_seed_year_plan_text_is_kept() -> None:
    r = parse_text(seed_text("zhanhe-gongxin-2024"))
    assert "2024年，我局将认真贯彻落实" in r.sections["problems"].text
    assert r.sections["problems"].heading == "五、存在的主要问题及改进情况"
    assert r.period == "本年度报告中使用数据统计期限为 2024 年 1 月 1 日至 12 月 31 日。"
    assert "信息处理费" in r.sections["other"].text


def test_seed_text_says_15_licences_table_says_9() -> None:
    r = parse_text(seed_text("zhanhe-yingji-2024"))
    assert "成功办理了 15 项行政许可" in r.sections["overview"].text
    cell = r.proactive["licensing"]["decisions"]
    assert (cell.value, cell.raw, known(cell.source).line, known(cell.source).col) == (9, "9", 29, 1)
    # A subsection 「（一）存在的主要问题」 is not a section heading of its own.
    assert "（一）存在的主要问题" in r.sections["problems"].text


def test_shunhe_shifted_total_row_read_by_label() -> None:
    """「(七) 总计\\t0×7\\t\\t」 sits one cell left of the other rows; it is still (七)."""
    r = parse_text(seed_text("shunhe-shenpi-2024"))
    total = r.requests["outcome_total"]
    assert [known(total[c].source).col for c in total] == [1, 2, 3, 4, 5, 6, 7]
    assert all(known(total[c].source).line == 64 for c in total)
    new = r.requests["new"]
    assert [known(new[c].source).col for c in new] == [2, 3, 4, 5, 6, 7, 8]
    # 「5. 要求行政机关确认…」 lost its group cells but is still identified.
    assert known(r.requests["unprocessed_confirmation"]["total"].source).line == 60


def test_zhanhe_other_misc_without_group_label() -> None:
    """「3. 其他」 without its (六) group cell is other_misc, not the 其他 column."""
    r = parse_text(seed_text("zhanhe-gongxin-2024"))
    assert known(r.requests["other_misc"]["natural_person"].source).line == 76
    assert known(r.requests["other_misc"]["natural_person"].source).col == 2
    assert known(r.requests["other_fee_unpaid"]["total"].source).line == 75


def test_jianxi_broken_lines_assembled() -> None:
    """PDF text: 「0 0 0 0 0 0\\n0」 is one row; the 7th figure is on the next line."""
    r = parse_text(seed_text("jianxi-gongxin-2024"))
    row = r.requests["partly_granted"]
    assert [known(row[c].source).line for c in row] == [112, 112, 112, 112, 112, 112, 113]
    fee = r.requests["other_fee_unpaid"]
    assert [known(fee[c].source).line for c in fee] == [173, 173, 173, 173, 173, 173, 174]
    assert known(r.review_litigation["suit_after_review"]["total"].source).line == 230


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", list(SEEDS))
def test_seeds_flattened_read_every_figure_and_keep_their_findings(name: str, way: str) -> None:
    """Each seed re-rendered and flattened (issue 15): same figures, unit, year and findings."""
    seed = parse_text(seed_text(name))
    flat = parse_text(flatten(seed, way))
    assert (flat.agency, flat.year, flat.form) == (seed.agency, seed.year, seed.form)
    assert all_values(flat) == all_values(seed)
    assert all(s.present for s in flat.sections.values())

    def rules(r):
        return sorted({(f.rule, f.status) for f in run_checks(r, CheckContext(agency_kind="department"))})

    assert rules(flat) == rules(seed)
