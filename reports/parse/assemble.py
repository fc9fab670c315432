"""Document (blocks) → ParsedReport: metadata, sections, then the three tables."""

from __future__ import annotations

from reports.form import SECTION_KEYS, TABLE2_ROWS, Form
from reports.model import Cell, ParsedReport, ParseProblem
from reports.parse.blocks import Block, Document
from reports.parse.grid import row_record
from reports.parse.meta import (
    agency_of,
    choose_title,
    detect_form,
    find_title,
    period_of,
    read_header,
    unit_from_header,
    year_of,
)
from reports.parse.pdftext import stream_records
from reports.parse.records import Record
from reports.parse.reflow import reflow
from reports.parse.sections import build_sections, find_headings, region
from reports.parse.tables import read_table2, read_table3, read_table4, single_other_row
from reports.parse.tokens import PAGE_NUMBER_LINE

UNREADABLE = "不可机读："

_SECTION_NAMES = {
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}


def records_of(blocks: list[Block]) -> list[Record]:
    """Grid rows when the region has any; otherwise the text is a flattened stream.

    A plain line among grid rows is one record too (prose there must not turn into rows).
    """
    if any(b.cells is not None for b in blocks):
        return [row_record(b) for b in blocks if b.text.strip() and not PAGE_NUMBER_LINE.match(b.text)]
    return stream_records(blocks)


def assemble(doc: Document, problems: list[ParseProblem] | None = None) -> ParsedReport:
    text = doc.text
    blocks = reflow([b for b in doc.blocks if not PAGE_NUMBER_LINE.match(b.text)])
    headings = find_headings(blocks)
    first = headings[0].index if headings else min(len(blocks), 40)
    header, header_lines = read_header(blocks, max(first, 1))
    title = choose_title(find_title(blocks, max(first, 1), [], header_lines), header, doc.title_hints)
    form = detect_form(text, [h.key for h in headings])
    report = ParsedReport(
        title=title,
        agency=agency_of(title) or unit_from_header(header),
        year=year_of(title),
        period=period_of(text),
        form=form,
        input_kind=doc.input_kind,
        header=header,
        text=text,
    )
    report.problems.extend(problems or [])
    report.sections = build_sections(blocks, headings)
    if not title:
        report.problems.append(
            ParseProblem(where="title", reason="未找到报告标题（「…政府信息公开工作年度报告」）")
        )
    missing = [k for k in SECTION_KEYS if not report.sections[k].present]
    if missing and blocks:
        report.problems.append(
            ParseProblem(
                where="sections",
                reason="未找到以下部分的标题：" + "、".join(missing),
                detail={"missing": missing},
            )
        )

    table_form: Form = form if form in (Form.F2021, Form.F2019) else Form.F2021
    regions = {key: region(blocks, headings, key) for key in _SECTION_NAMES}
    records = {key: records_of(blocks_in) if blocks_in else None for key, (blocks_in, _) in regions.items()}
    if table_form == Form.F2021 and single_other_row(records["requests"] or []):
        table_form = report.form = Form.F2021_HYBRID
        report.requests = ParsedReport.empty_table3(table_form)
    readers = {
        "proactive": lambda recs: read_table2(recs, table_form),
        "requests": lambda recs: read_table3(recs, table_form),
        "review_litigation": read_table4,
    }
    for key, reader in readers.items():
        has_heading = regions[key][1]
        recs = records[key]
        res = reader(recs) if recs is not None else None
        if res is None or not res.found:
            reason = f"未找到「{_SECTION_NAMES[key]}」表格的数据单元格"
            if doc.images_in_body:
                reason += "（正文中有图片，表格可能以图片形式发布）"
            report.problems.append(
                ParseProblem(where=_where(key), reason=reason, detail={"heading_found": has_heading})
            )
            continue
        report.tables_found[key] = True
        report.problems.extend(res.problems)
        report.decoding.extend(res.decoding)
        if key == "proactive":
            report.proactive = _merge_t2(res.cells)
        elif key == "requests":
            report.requests = res.cells
        else:
            report.review_litigation = res.cells
    if doc.images_in_body and not any(report.tables_found.values()):
        report.images_only = True
        report.problems.append(
            ParseProblem(
                where="document",
                reason=UNREADABLE
                + f"表格只以图片形式出现（共 {doc.images_in_body} 张图片），解析器不识别网页或文档中的图片",
                detail={"images": doc.images_in_body},
            )
        )
    return report


def _where(key: str) -> str:
    return {"proactive": "table2", "requests": "table3", "review_litigation": "table4"}[key]


def _merge_t2(cells: dict[str, dict[str, Cell]]) -> dict[str, dict[str, Cell]]:
    """Keep every F2021 key present so consumers never hit a KeyError on an F2019 report."""
    out = {r: {c: Cell() for c in cs} for r, cs in TABLE2_ROWS.items()}
    for r, cs in cells.items():
        out.setdefault(r, {}).update(cs)
    return out
