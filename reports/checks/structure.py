"""Shape of the report: the six sections, the three tables, the form version, the overview length."""

from __future__ import annotations

import re

from reports.checks._common import section_label, sentences
from reports.checks.base import STATUS_CANNOT_ASSESS, CheckContext, Finding, Severity, rule
from reports.form import SECTION_KEYS, SECTION_LABELS, Form
from reports.model import ParsedReport

TABLE_NAMES = {
    "proactive": (2, "表二（主动公开政府信息情况）"),
    "requests": (3, "表三（收到和处理政府信息公开申请情况）"),
    "review_litigation": (4, "表四（政府信息公开行政复议、行政诉讼情况）"),
}

# 「篇幅原则上不超过一千字」: counted in Chinese characters (汉字), not punctuation or digits.
OVERVIEW_MAX_CHARS = 1000
_HANZI = re.compile(r"[\u4e00-\u9fff]")

# 国办公开办函〔2019〕60号, with the bracket and spacing variants seen in reports.
_OLD_NOTICE = re.compile(r"(?:国办公开办函)?[〔\[［【(（]2019[〕\]］】)）]60号")
_BASIS_WORDS = ("依据", "根据", "按照", "参照", "要求", "格式", "编制", "编写")


@rule(
    "SECTIONS",
    Severity.ERROR,
    "六个部分齐全有序",
    "年度报告须包含总体情况、主动公开、依申请公开、复议诉讼、存在问题及改进、其他事项六个部分，且按此顺序排列。",
    order=6,
)
def sections_present(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """条例 第五十条 and the format notice require all six parts, in order."""
    findings: list[Finding] = []
    for key in SECTION_KEYS:
        section = report.sections.get(key)
        if section is None or not section.present:
            findings.append(
                Finding(
                    rule="SECTIONS",
                    severity=Severity.ERROR,
                    message=f"未找到“{SECTION_LABELS[key]}”部分",
                    evidence={
                        "anchor": {"section": key, "problem": "missing"},
                        "section": key,
                        "section_label": SECTION_LABELS[key],
                    },
                )
            )
    placed = [
        (line, k)
        for k in SECTION_KEYS
        if k in report.sections
        and report.sections[k].present
        and (line := report.sections[k].line) is not None
    ]
    # stable: headings on one line (a page saved as one line) keep the order they were found in
    actual = [k for _, k in sorted(placed, key=lambda p: p[0])]
    expected = [k for _, k in placed]
    if actual != expected:
        findings.append(
            Finding(
                rule="SECTIONS",
                severity=Severity.ERROR,
                message="各部分顺序与模板不一致：实际顺序为"
                + "→".join(SECTION_LABELS[k][:2] for k in actual),
                evidence={
                    "anchor": {"problem": "order"},
                    "expected": expected,
                    "actual": actual,
                    "lines": {k: line for line, k in placed},
                },
            )
        )
    return findings


@rule(
    "TABLES",
    Severity.ERROR,
    "三张统计表可读",
    "表二、表三、表四须以表格单元格形式发布；未找到为错误，页面仅以图片展示表格时为警告"
    "（图片经文字识别读取的，数值须通过勾稽关系核验，未能全部核验时提示「表三为图片，识别不完整」）。",
    order=7,
)
def tables_present(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """Tables must be machine-readable cells; an image-only page is a lesser problem.

    A table read from an image by OCR is spoken of as an image: 「表三为图片，识别不完整」 when
    OCR saw it but could not verify all of its figures, never 「未找到表三」."""
    findings: list[Finding] = []
    for key, (number, name) in TABLE_NAMES.items():
        image = report.image_tables.get(key)
        found = report.tables_found.get(key, False)
        if found and image is None:
            continue
        short = name.split("（")[0]
        if image == "read":
            severity, message = (
                Severity.WARNING,
                f"{name}仅以图片形式发布（已通过文字识别读取，数值均通过勾稽关系核验）",
            )
        elif image is not None:
            severity = Severity.WARNING
            message = f"{short}为图片，识别不完整：" + (
                "部分单元格未能通过勾稽关系核验，已留空，需人工查看原图"
                if found
                else "未能从图片中读出该表的数值，需人工查看原图"
            )
        elif report.images_only:
            severity, message = Severity.WARNING, f"{name}仅以图片形式发布，无法读取单元格数据"
        else:
            severity, message = Severity.ERROR, f"未找到{name}"
        findings.append(
            Finding(
                rule="TABLES",
                severity=severity,
                message=message,
                evidence={
                    "anchor": {"table": number},
                    "table": number,
                    "section": key,
                    "images_only": report.images_only,
                    "image": image,
                },
            )
        )
    return findings


def expected_form(year: int) -> Form:
    """The national template in force for a report year."""
    if year >= 2021:
        return Form.F2021
    if year >= 2019:
        return Form.F2019
    return Form.PRE2019


@rule(
    "FORMAT-VERSION",
    Severity.ERROR,
    "报告格式版本",
    "2021年及以后的报告应使用国办公开办函〔2021〕30号格式，2019—2020年使用〔2019〕60号格式；2021年及以后仍以〔2019〕60号为依据、或表三“(六)其他处理”只列一行（混合格式）的也属问题。",
    order=8,
)
def format_version(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """An outdated template means the figures follow the wrong row set."""
    if report.year is None:
        return []
    findings: list[Finding] = []
    want = expected_form(report.year)
    if report.form == Form.UNKNOWN:
        if report.machine_readable:
            findings.append(
                Finding(
                    rule="FORMAT-VERSION",
                    severity=Severity.INFO,
                    message="无法识别统计表所用的格式版本",
                    evidence={
                        "anchor": {"problem": "form"},
                        "expected": want.value,
                        "actual": report.form.value,
                    },
                    status=STATUS_CANNOT_ASSESS,
                )
            )
    elif report.form == Form.F2021_HYBRID and want == Form.F2021:
        findings.append(
            Finding(
                rule="FORMAT-VERSION",
                severity=Severity.ERROR,
                message=(
                    "表三“(六)其他处理”只列了一行（〔2019〕60号格式的写法），"
                    f"{report.year}年度报告应按国办公开办函〔2021〕30号格式分列"
                    "“申请人无正当理由逾期不补正”“申请人逾期未按收费通知要求缴纳费用”“其他”三项"
                ),
                evidence={
                    "anchor": {"problem": "form"},
                    "year": report.year,
                    "expected": want.value,
                    "actual": report.form.value,
                },
            )
        )
    elif report.form != want:
        findings.append(
            Finding(
                rule="FORMAT-VERSION",
                severity=Severity.ERROR,
                message=f"{report.year}年度报告应采用{want.value}格式，实际为{report.form.value}格式",
                evidence={
                    "anchor": {"problem": "form"},
                    "year": report.year,
                    "expected": want.value,
                    "actual": report.form.value,
                },
            )
        )
    if report.year >= 2021:
        for s in sentences(report):
            m = _OLD_NOTICE.search(s.text)
            if m is None or not any(w in s.text for w in _BASIS_WORDS):
                continue
            findings.append(
                Finding(
                    rule="FORMAT-VERSION",
                    severity=Severity.ERROR,
                    message=(
                        f"{report.year}年度报告仍以已被替代的国办公开办函〔2019〕60号为编制依据"
                        f"（{section_label(s.section)}）：“{s.quote(focus=m.span())}”"
                    ),
                    evidence={
                        "anchor": {"problem": "basis", "section": s.section},
                        "section": s.section,
                        "offset": s.offset,
                        "sentence": s.quote(focus=m.span()),
                        "expected": "国办公开办函〔2021〕30号",
                        "actual": "国办公开办函〔2019〕60号",
                    },
                )
            )
            break
    return findings


@rule(
    "OVERVIEW-LENGTH",
    Severity.INFO,
    "总体情况篇幅",
    f"“总体情况”篇幅原则上不超过一千字；按汉字计数，超过{OVERVIEW_MAX_CHARS}字时提示。",
    needs=("overview",),
    order=15,
)
def overview_length(report: ParsedReport, ctx: CheckContext) -> list[Finding]:
    """The notice asks for an overview of at most about a thousand characters."""
    section = report.sections.get("overview")
    if section is None or not section.present:
        return []
    count = len(_HANZI.findall(section.text))
    if count <= OVERVIEW_MAX_CHARS:
        return []
    return [
        Finding(
            rule="OVERVIEW-LENGTH",
            severity=Severity.INFO,
            message=f"“总体情况”约{count}字，超过原则上一千字的篇幅要求",
            evidence={
                "anchor": {"section": "overview"},
                "section": "overview",
                "expected": OVERVIEW_MAX_CHARS,
                "actual": count,
                "difference": count - OVERVIEW_MAX_CHARS,
            },
        )
    ]
