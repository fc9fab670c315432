"""SECTIONS, TABLES, FORMAT-VERSION, OVERVIEW-LENGTH."""

from __future__ import annotations

from reports.checks.base import STATUS_CANNOT_ASSESS, STATUS_FAIL, CheckContext, Severity
from reports.checks.structure import format_version, overview_length, sections_present, tables_present
from reports.form import Form
from reports.model import ParsedReport, Section
from tests.checks.factory import consistent_report, set_section


def test_sections_pass(report: ParsedReport, ctx: CheckContext) -> None:
    assert sections_present(report, ctx) == []


def test_sections_missing(report: ParsedReport, ctx: CheckContext) -> None:
    report.sections["problems"] = Section()
    (f,) = sections_present(report, ctx)
    assert f.severity == Severity.ERROR and f.evidence["section"] == "problems"
    assert "五、存在的主要问题及改进情况" in f.message


def test_sections_out_of_order(report: ParsedReport, ctx: CheckContext) -> None:
    report.sections["other"].line, report.sections["problems"].line = 50, 60
    (f,) = sections_present(report, ctx)
    assert f.evidence["anchor"] == {"problem": "order"}
    assert f.evidence["actual"][-2:] == ["other", "problems"]
    assert "顺序" in f.message


def test_tables_pass_error_and_image_warning(report: ParsedReport, ctx: CheckContext) -> None:
    assert tables_present(report, ctx) == []
    report.tables_found["requests"] = False
    (f,) = tables_present(report, ctx)
    assert (f.severity, f.evidence["table"]) == (Severity.ERROR, 3)
    assert "未找到表三" in f.message
    report.images_only = True
    (f,) = tables_present(report, ctx)
    assert f.severity == Severity.WARNING and "图片" in f.message


def test_format_version_pass_for_each_era(ctx: CheckContext) -> None:
    assert format_version(consistent_report(Form.F2021, year=2021), ctx) == []
    assert format_version(consistent_report(Form.F2019, year=2020), ctx) == []


def test_format_version_old_form_in_new_year(ctx: CheckContext) -> None:
    (f,) = format_version(consistent_report(Form.F2019, year=2024), ctx)
    assert f.status == STATUS_FAIL and f.severity == Severity.ERROR
    assert (f.evidence["expected"], f.evidence["actual"]) == ("F2021", "F2019")
    (f,) = format_version(consistent_report(Form.F2021, year=2020), ctx)
    assert f.evidence["expected"] == "F2019"


def test_format_version_citing_old_notice(report: ParsedReport, ctx: CheckContext) -> None:
    set_section(
        report,
        "overview",
        "本报告依据《中华人民共和国政府信息公开条例》和国办公开办函〔2019〕60 号要求编制。其余略。",
    )
    (f,) = format_version(report, ctx)
    assert f.evidence["section"] == "overview" and f.evidence["offset"] == 0
    assert "〔2019〕60 号" in f.evidence["sentence"]
    assert "〔2019〕60号" in f.message
    set_section(report, "overview", "本报告依据国办公开办函〔2021〕30号要求编制。")
    assert format_version(report, ctx) == []


def test_format_version_unknown_form(report: ParsedReport, ctx: CheckContext) -> None:
    report.form = Form.UNKNOWN
    (f,) = format_version(report, ctx)
    assert f.status == STATUS_CANNOT_ASSESS and f.severity == Severity.INFO


def test_overview_length(report: ParsedReport, ctx: CheckContext) -> None:
    set_section(report, "overview", "公开" * 500 + "。" * 300)  # 1000 汉字: within the limit
    assert overview_length(report, ctx) == []
    set_section(report, "overview", "公开" * 520)
    (f,) = overview_length(report, ctx)
    assert f.severity == Severity.INFO and (f.evidence["actual"], f.evidence["difference"]) == (1040, 40)
    assert "1040" in f.message
