"""Text saved as one long line: put the section headings back on lines of their own.

A page saved without its line breaks holds the title, the six section headings, the
tables and the prose in one line. Sections, title and table regions are all found per
line, so such a line is cut before and after every section heading, spelled as the
national template spells it (numbered, strong phrase). Table 三's own numbered rows
(「一、本年新收…」「四、结转下年度继续办理」) are not headings and are left alone; the
pieces keep the line (and page) they came from, for provenance.
"""

from __future__ import annotations

import re

from reports.parse.blocks import Block

_N = r"\s*[、.．]\s*"
_HEADING = re.compile(
    "(?<![（(])(?:"
    + "|".join(
        (
            rf"一{_N}总体情况",
            rf"二{_N}主动公开政府信息情况",
            rf"三{_N}收到和处理政府信息公开申请情况",
            rf"四{_N}政府信息公开行政复议\s*[、,，]?\s*行政诉讼情况",
            rf"五{_N}(?:政府信息公开(?:工作)?)?存在的主要问题及改进情况",
            rf"六{_N}其他需要报告的事项",
        )
    )
    + ")"
)
# Lines shorter than this are already headings or ordinary lines.
MIN_LINE = 60


def _pieces(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in _HEADING.finditer(text):
        if text[pos : m.start()].strip():
            out.append(text[pos : m.start()])
        out.append(m.group())
        pos = m.end()
    if text[pos:].strip():
        out.append(text[pos:])
    return out


def reflow(blocks: list[Block]) -> list[Block]:
    """Blocks with every long text line cut around the section headings it holds."""
    out: list[Block] = []
    for b in blocks:
        if b.cells is not None or len(b.text) < MIN_LINE or not _HEADING.search(b.text):
            out.append(b)
            continue
        pieces = _pieces(b.text)
        if len(pieces) == 1:
            out.append(b)
            continue
        out.extend(Block(text=p.strip(), line=b.line, page=b.page) for p in pieces)
    return out
