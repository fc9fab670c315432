"""Chinese numerals read right, and rules that know the years and levels they hold for (issue 21)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.checks import RULES, run_checks
from reports.checks.base import CheckContext
from reports.checks.text_table import text_table
from reports.levels import agency_level, infer_level
from reports.numerals import cn_number, digits_year
from reports.parse.meta import agency_of, year_of
from scrapers.titles import parse_report_title
from tests.checks.factory import consistent_report, set_section, set_t2, set_t3


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一〇五", 105),
        ("一零五", 105),
        ("二〇二四", 2024),
        ("一百零五", 105),
        ("两千", 2000),
        ("两百", 200),
        ("十五", 15),
        ("十", 10),
        ("二十一", 21),
        ("一千零二十", 1020),
        ("一万零三", 10003),
        ("三万两千", 32000),
        ("零", 0),
        ("15", 15),
    ],
)
def test_chinese_numbers(text: str, value: int) -> None:
    assert cn_number(text) == value


@pytest.mark.parametrize("text", ["", "第一", "abc", "五点五", "半", "负五"])
def test_not_numbers(text: str) -> None:
    assert cn_number(text) is None


DIGITS = "〇一二三四五六七八九"


@given(st.integers(min_value=0, max_value=99_999))
def test_digit_by_digit_numbers_are_read_as_written(n: int) -> None:
    """「一〇五」 style: every Arabic number written digit for digit in Chinese reads back."""
    assert cn_number("".join(DIGITS[int(d)] for d in str(n))) == n


def test_text_table_compares_a_digit_by_digit_count(report, ctx) -> None:
    """「一〇五」 was read as 5, so a right report got a TEXT-TABLE warning against 5."""
    set_t3(report, "new", "total", 105)
    set_section(report, "overview", "本年度共收到政府信息公开申请一〇五件。")
    assert text_table(report, ctx) == []
    set_t3(report, "new", "total", 5)
    (f,) = text_table(report, ctx)
    assert f.evidence["stated"] == 105


@pytest.mark.parametrize(
    "title",
    [
        "某某区民政局二〇二四年度政府信息公开工作年度报告",
        "某某区民政局二零二四年政府信息公开工作年度报告",
    ],
)
def test_titles_with_chinese_numeral_years_are_reports(title: str) -> None:
    assert parse_report_title(title) == ("某某区民政局", 2024)
    assert year_of(title) == 2024 and agency_of(title) == "某某区民政局"


def test_digits_year_leaves_other_numerals_alone() -> None:
    assert digits_year("二〇二四年，收到申请一〇五件") == "2024年，收到申请一〇五件"


# --- rules that know when and who -------------------------------------------------------------


def _no_fee_statement(year: int):
    report = consistent_report(year=year)
    set_section(report, "other", "无其他需要报告的事项。")
    return report


def test_fee_statement_only_from_the_2021_format_on() -> None:
    ctx = CheckContext(agency_kind="department", agency_level="county")
    assert "FEE-STATEMENT" in {f.rule for f in run_checks(_no_fee_statement(2024), ctx)}
    assert "FEE-STATEMENT" not in {f.rule for f in run_checks(_no_fee_statement(2020), ctx)}
    assert "FEE-STATEMENT" not in {f.rule for f in run_checks(_no_fee_statement(2019), ctx)}


def _with_regulations():
    report = consistent_report()
    set_t2(report, "regulations", "issued", 2)
    return report


@pytest.mark.parametrize(
    ("level", "fires"),
    [("county", True), ("town", True), ("city", False), ("province", False), (None, False)],
)
def test_regulations_level_only_at_county_level_and_below(level: str | None, fires: bool) -> None:
    ctx = CheckContext(agency_kind="department", agency_level=level)
    assert ("REGULATIONS-LEVEL" in {f.rule for f in run_checks(_with_regulations(), ctx)}) is fires


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("平顶山市湛河区应急管理局", "county"),
        ("湛河区工信局", "county"),
        ("顺河回族区行政审批和政务信息管理局", "county"),
        ("某某县乡村振兴局", "county"),
        ("某某镇人民政府", "town"),
        ("南环路街道办事处", "town"),
        ("河南省发展和改革委员会", "province"),
        ("广西壮族自治区民政厅", "province"),
        ("北京市发展和改革委员会", "province"),
        ("北京市朝阳区民政局", "county"),
        ("开封市财政局", None),  # a 设区的市 or a 县级市: the name does not say
        ("义乌市民政局", None),
        ("", None),
    ],
)
def test_level_inferred_from_the_unit_name(name: str, level: str | None) -> None:
    assert infer_level(name) == level


def test_registry_level_wins_and_towns_are_below_their_district() -> None:
    assert agency_level("department", "city", "开封市", "开封市财政局") == "city"
    assert agency_level("town", "county", "湛河区", "曹镇乡人民政府") == "town"
    assert agency_level("department", None, "平顶山市湛河区", "某局") == "county"
    assert agency_level("department", None, "开封市", "开封市财政局") is None


def test_rules_say_when_they_apply() -> None:
    assert RULES["FEE-STATEMENT"].scope_text == "2021年度起的报告"
    assert "县（区）级" in RULES["REGULATIONS-LEVEL"].scope_text
    assert RULES["T3-BALANCE"].scope_text == "所有报告"
    assert not RULES["FEE-STATEMENT"].applies(None, "county")  # unknown year: no finding on a guess
