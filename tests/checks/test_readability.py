"""Whether the checks may judge a parsed document (issue 21): a parser's failure is said once,
as 「无法读取」, and an image is said to be an image, not "not a report"."""

from __future__ import annotations

from replicas.site import tiny_png
from reports.checks.readability import readability
from reports.parse import parse_document, parse_text
from tests.conftest import seed_path


def test_a_seed_is_readable() -> None:
    assert readability(parse_text(seed_path("zhanhe-gongxin-2024.txt").read_text(encoding="utf-8"))).readable


def test_a_page_with_no_marker_of_a_report_is_not_a_report() -> None:
    html = "<html><body><h1>通知公告</h1><p>关于开展2025年春节安全检查的通知</p></body></html>".encode()
    seen = readability(parse_document(html, filename="x.html"))
    assert not seen.readable and seen.not_a_report and "不是年度报告" in seen.reason


def test_an_image_the_parser_could_not_read_is_an_image_not_a_non_report() -> None:
    seen = readability(parse_document(tiny_png(200, 200), filename="scan.png"))
    assert not seen.readable and not seen.not_a_report
    assert "不是年度报告" not in seen.reason and "不可机读" in seen.reason


def test_a_titled_report_without_sections_or_figures_is_unreadable_with_the_reason() -> None:
    html = (
        "<html><body><h1>某区民政局2024年政府信息公开工作年度报告</h1>"
        "<p>发布时间：2025-01-20</p><p><img src='a.png'></p></body></html>"
    ).encode()
    seen = readability(parse_document(html, filename="x.html"))
    assert not seen.readable and not seen.not_a_report and seen.reason
