"""Unit, year and title read right from text as crawlers, archives and portals save it.

Crawler/archive dumps put metadata lines before the report (「标题:」「发布时间:」
「原文链接:」「栏目:」): they are recorded as metadata, never read as part of the unit's
name. Portal pages saved as text keep their navigation (「当前位置：首页…」, 「微信 微博
QQ空间」). WPS/Word layouts print the unit on its own line above the title.
"""

from __future__ import annotations

import pytest

from replicas.flatten import flatten
from reports.parse import parse_text

from .helpers import seed_text, t3_values

AGENCY = "湛河区应急管理局"
TITLE = "湛河区应急管理局2024年政府信息公开工作年度报告"


def _body() -> str:
    """The zhanhe-yingji seed without its title line."""
    lines = seed_text("zhanhe-yingji-2024").split("\n")
    i = next(i for i, ln in enumerate(lines) if "年度报告" in ln)
    return "\n".join(lines[i + 1 :])


DUMP_HEADER = (
    f"标题: {TITLE}\n"
    "发布时间: 2025-01-20 09:30\n"
    "原文链接: http://www.zhanhe.gov.cn/zwgk/2025/0120/123.html\n"
    "栏目: 政府信息公开年度报告\n"
    "----------------------------------------\n"
)
NAV = "首页 | 机构概况 | 政务公开 | 政务服务\n当前位置：首页 > 政务公开 > 政府信息公开年报\n微信 微博 QQ空间\n【字体：大 中 小】 打印 关闭\n"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (DUMP_HEADER + NAV + _body(), TITLE),  # the body has no title of its own
        (
            DUMP_HEADER + f"{AGENCY} 2024 年政府信息公开工作年度报告\n" + _body(),
            f"{AGENCY} 2024 年政府信息公开工作年度报告",
        ),
        (DUMP_HEADER.replace(TITLE, "2024年政府信息公开工作年度报告") + f"{TITLE}\n" + _body(), TITLE),
        (
            NAV
            + f"{AGENCY}\n2024年政府信息公开工作年度报告\n发布时间：2025-01-20 来源：{AGENCY} 浏览次数：12\n"
            + _body(),
            TITLE,
        ),
        (
            f"{AGENCY}\n\n2024年政府信息公开\n工作年度报告\n- 1 -\n" + _body(),
            TITLE,
        ),  # WPS: unit line, title broken
    ],
    ids=[
        "dump-header-and-nav",
        "dump-header-and-title",
        "header-without-unit",
        "nav-unit-line",
        "wps-unit-line",
    ],
)
def test_unit_year_and_title(text: str, title: str) -> None:
    r = parse_text(text)
    assert (r.agency, r.year, r.title) == (AGENCY, 2024, title)
    assert all(s.present for s in r.sections.values())
    assert r.proactive["licensing"]["decisions"].value == 9
    assert not [p for p in r.problems if p.where in ("title", "sections")]


def test_dump_header_is_metadata() -> None:
    r = parse_text(DUMP_HEADER + NAV + _body())
    assert r.header == {
        "title": TITLE,
        "published": "2025-01-20 09:30",
        "url": "http://www.zhanhe.gov.cn/zwgk/2025/0120/123.html",
        "column": "政府信息公开年度报告",
    }


def test_unit_from_the_article_info_when_the_title_has_none() -> None:
    r = parse_text(f"2024年政府信息公开工作年度报告\n发布时间：2025-01-20 来源：{AGENCY}\n" + _body())
    assert (r.agency, r.year) == (AGENCY, 2024)
    assert r.header["source"] == AGENCY


def test_a_page_saved_as_one_line() -> None:
    """Title, headings, tables and prose on one line: sections found, every figure read."""
    seed = parse_text(seed_text("zhanhe-yingji-2024"))
    one = parse_text(flatten(seed, "one_line"))
    assert "\n" not in flatten(seed, "one_line")
    assert (one.agency, one.year, one.title) == (AGENCY, 2024, TITLE)
    assert all(s.present for s in one.sections.values())
    assert t3_values(one) == t3_values(seed)
    assert one.proactive["licensing"]["decisions"].value == 9
