"""Render a ParsedReport back out as a portal-style HTML article or as a tab-separated
copy-out like the seeds (test material: fixtures for round-trip tests and the replica portals). The tables use the real pages' rowspan/colspan layout so the parser is exercised
on the same structure it meets in the wild.
"""

from __future__ import annotations

import html

from reports.form import (
    SECTION_KEYS,
    SECTION_LABELS,
)
from reports.layout import Row, table2_rows_model, table3_rows_model, table4_rows_model
from reports.model import ParsedReport


def _title(report: ParsedReport) -> str:
    if report.title:
        return report.title
    return f"{report.agency or ''}{report.year or ''}年政府信息公开工作年度报告"


def _html_table(rows: list[Row]) -> str:
    parts = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">', "<tbody>"]
    for row in rows:
        tds = []
        for c in row:
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            text = html.escape(c.text) if c.text else "&nbsp;"
            tds.append(f'<td{attrs} style="text-align:center"><p>{text}</p></td>')
        parts.append("<tr>" + "".join(tds) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _tsv(rows: list[Row]) -> str:
    """A browser copy-out: each row's own cells (spanned ones not repeated), tab-separated."""
    return "\n".join("\t".join(c.text for c in row) for row in rows)


def _section_heading(report: ParsedReport, key: str) -> str:
    sec = report.sections.get(key)
    return sec.heading if sec and sec.heading else SECTION_LABELS[key]


def _tables(report: ParsedReport) -> dict[str, list[Row]]:
    return {
        "proactive": table2_rows_model(report),
        "requests": table3_rows_model(report),
        "review_litigation": table4_rows_model(report),
    }


def _body_text(report: ParsedReport, key: str) -> list[str]:
    if key in ("proactive", "requests", "review_litigation"):
        return []
    sec = report.sections.get(key)
    return [p for p in (sec.text.split("\n") if sec else []) if p.strip()]


def render_html(report: ParsedReport) -> str:
    """A portal-style page: navigation and footer noise around the article."""
    tables = _tables(report)
    title = html.escape(_title(report))
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{title}_政府信息公开</title>",
        f'<meta name="ArticleTitle" content="{title}">',
        "</head><body>",
        '<div class="top"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
        "<li>政府信息公开年报</li></ul></div>",
        '<div class="location">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>',
        '<div class="article">',
        f'<h1 class="title">{title}</h1>',
        '<div class="info">发布时间：2025-01-20 来源：本站</div>',
        '<div class="content" id="zoom">',
    ]
    for key in SECTION_KEYS:
        out.append(f"<p><strong>{html.escape(_section_heading(report, key))}</strong></p>")
        for para in _body_text(report, key):
            out.append(f"<p>{html.escape(para)}</p>")
        if key in tables:
            out.append(_html_table(tables[key]))
    out += [
        "</div></div>",
        '<div class="related"><p>相关链接</p><ul><li><a href="#">上一篇：2023年政府信息公开工作年度报告</a></li></ul></div>',
        '<div class="footer"><p>主办单位：区人民政府办公室 网站标识码：4104000000</p></div>',
        "</body></html>",
    ]
    return "\n".join(out)


def render_text(report: ParsedReport) -> str:
    """Tab-separated copy-out text like the seeds."""
    tables = _tables(report)
    out = ["", _title(report), ""]
    for key in SECTION_KEYS:
        out.append(_section_heading(report, key))
        out.append("")
        for para in _body_text(report, key):
            out += [para, ""]
        if key in tables:
            out += [_tsv(tables[key]), ""]
    return "\n".join(out)
